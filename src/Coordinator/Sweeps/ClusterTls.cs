using Steerability.Coordinator.Cli;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace Steerability.Coordinator.Sweeps;

/// <summary>
/// Who may join a sweep's cluster. On loopback anyone on the machine; beyond it only members with mutual TLS: each
/// presents its certificate (`ssl.certificate.path`, a PKCS#12 file with its key) and accepts only peers whose
/// certificate chains to the sweep's own certificate authority (`steerability.tls.ca-certificate`), both ways.
/// Binding another address without TLS is refused unless `--insecure` says the network is trusted.
/// </summary>
public static class ClusterTls
{
    private const string Tcp = "akka.remote.dot-netty.tcp";

    /// <summary>An actor system with the config; with TLS on, its certificate and the CA-pinned peer check set up.</summary>
    public static ActorSystem CreateSystem(Config config)
    {
        if (!config.GetBoolean($"{Tcp}.enable-ssl", false))
        {
            return ActorSystem.Create(SweepConfig.SystemName, config);
        }
        var (certificate, authority) = Load(config);
        var ssl = new DotNettySslSetup(certificate, suppressValidation: false, requireMutualAuthentication: true,
            validateCertificateHostname: false, customValidator: (peer, chain, _, _, log) =>
            {
                var accepted = ChainsTo(peer, chain, authority);
                if (!accepted)
                {
                    log?.Warning("refused a peer whose certificate ({0}) is not issued by the sweep's authority", peer?.Subject ?? "none");
                }
                return accepted;
            });
        return ActorSystem.Create(SweepConfig.SystemName, BootstrapSetup.Create().WithConfig(config).And(ssl));
    }

    /// <summary>
    /// Refuses (one line, exit 2) to bind a non-loopback address without TLS, unless <paramref name="insecure"/>.
    /// </summary>
    public static void CheckExposure(Config config, bool insecure)
    {
        var host = config.GetString($"{Tcp}.hostname", "");
        if (insecure || config.GetBoolean($"{Tcp}.enable-ssl", false) || IsLoopback(host))
        {
            return;
        }
        throw new InputException($"--hostname: '{(host.Length == 0 ? "(every interface)" : host)}' is reachable from other machines " +
            "and TLS is off; accepted: a loopback address, TLS (STEER_TLS=on, STEER_TLS_CERTIFICATE, STEER_TLS_CA), " +
            "or --insecure on a network you trust");
    }

    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    private static (X509Certificate2 Certificate, X509Certificate2 Authority) Load(Config config)
    {
        var path = config.GetString($"{Tcp}.ssl.certificate.path", "");
        var password = config.GetString($"{Tcp}.ssl.certificate.password", "");
        var caPath = config.GetString("steerability.tls.ca-certificate", "");
        if (!File.Exists(path))
        {
            throw new InputException($"STEER_TLS_CERTIFICATE: '{path}' not found; accepted: this member's PKCS#12 (.pfx) file with its private key");
        }
        if (!File.Exists(caPath))
        {
            throw new InputException($"STEER_TLS_CA: '{caPath}' not found; accepted: the certificate (PEM or DER) of the authority that issued every member's certificate");
        }
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.Exportable);
        }
        catch (CryptographicException e)
        {
            throw new InputException($"STEER_TLS_CERTIFICATE: '{path}' is not readable with the password given ({e.Message.ReplaceLineEndings(" ")}); accepted: a PKCS#12 file and its STEER_TLS_PASSWORD");
        }
        if (!certificate.HasPrivateKey)
        {
            throw new InputException($"STEER_TLS_CERTIFICATE: '{path}' has no private key; accepted: a PKCS#12 file with the member's key");
        }
        X509Certificate2 authority;
        try
        {
            authority = X509CertificateLoader.LoadCertificateFromFile(caPath);
        }
        catch (CryptographicException e)
        {
            throw new InputException($"STEER_TLS_CA: '{caPath}' is not a certificate ({e.Message.ReplaceLineEndings(" ")}); accepted: a PEM or DER certificate");
        }
        if (!ChainsTo(certificate, null, authority))
        {
            throw new InputException($"STEER_TLS_CERTIFICATE: '{path}' ({certificate.Subject}) is not issued by STEER_TLS_CA ({authority.Subject}) or has expired; accepted: a certificate the authority issued");
        }
        return (certificate, authority);
    }

    /// <summary>True when <paramref name="peer"/> is valid now and chains to <paramref name="authority"/> alone (not the system's roots).</summary>
    private static bool ChainsTo(X509Certificate2? peer, X509Chain? presented, X509Certificate2 authority)
    {
        if (peer is null)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements.Skip(1))
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        return chain.Build(peer);
    }
}
