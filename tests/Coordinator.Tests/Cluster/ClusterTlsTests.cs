using Steerability.Coordinator.Cli;
using Steerability.GpuNode.Worker;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Cluster;
using Akka.Configuration;
using Steerability.Coordinator.Sweeps;
using Steerability.GpuNode.Trials;
using Xunit;

namespace Steerability.Coordinator.Tests.Cluster;

/// <summary>
/// Mutual TLS on loopback with certificates made here (valid for a day, nothing checked in): a member whose
/// certificate the sweep's authority issued joins and runs trials; one whose certificate another authority issued
/// never becomes a member.
/// </summary>
public sealed class ClusterTlsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_node_with_a_certificate_from_another_authority_is_refused_and_one_from_the_sweeps_joins()
    {
        using var fixture = new SweepFixture();
        var plan = fixture.Plan();
        var sweepAuthority = Authority("steer test sweep CA");
        var strangerAuthority = Authority("stranger CA");
        var coordinatorConfig = TlsConfig(fixture.Root, "coordinator", sweepAuthority, sweepAuthority);
        var goodConfig = TlsConfig(fixture.Root, "good", sweepAuthority, sweepAuthority);
        // A well-formed member of another authority's cluster: valid certificate, wrong issuer.
        var strangerConfig = TlsConfig(fixture.Root, "stranger", strangerAuthority, strangerAuthority);

        var coordinator = SweepHost.StartCoordinator(plan, coordinatorConfig, SweepFixture.Coordinator);
        NodeHost? stranger = null;
        NodeHost? good = null;
        try
        {
            var ct = new CancellationTokenSource(Bound).Token;
            stranger = SweepHost.StartNode(strangerConfig, [coordinator.Address], new SyntheticTrialRunner(), ["cpu"],
                SweepFixture.Worker, "stranger", joinTimeout: TimeSpan.FromSeconds(8));
            // It gives up joining (its system terminates) without ever having been a member.
            await stranger.System.WhenTerminated.WaitAsync(ct);
            Assert.DoesNotContain(Akka.Cluster.Cluster.Get(coordinator.System).State.Members, m => m.Address.Equals(stranger.Address));
            Assert.Equal(0, (await coordinator.StatusAsync()).Done);

            good = SweepHost.StartNode(goodConfig, [coordinator.Address], new SyntheticTrialRunner(), ["cpu"],
                SweepFixture.Worker, "good", joinTimeout: TimeSpan.FromSeconds(60));
            var final = await coordinator.WaitForCompletionAsync(null, TimeSpan.FromMilliseconds(100), ct);
            Assert.True(final.Succeeded, string.Join("; ", final.RecentErrors));
            var members = Akka.Cluster.Cluster.Get(coordinator.System).State.Members;
            Assert.True(members.Any(m => m.Address.Equals(good.Address)),
                $"{good.Address} is not among the members: {string.Join(", ", members.Select(m => $"{m.Address} {m.Status}"))}");
        }
        finally
        {
            await Task.WhenAll(new[] { coordinator.System, stranger?.System, good?.System }.OfType<Akka.Actor.ActorSystem>().Select(s => s.Terminate()));
        }
    }

    [Fact]
    public void A_certificate_the_authority_did_not_issue_is_refused_at_start_with_one_line()
    {
        using var fixture = new SweepFixture();
        var config = TlsConfig(fixture.Root, "mixed", Authority("one CA"), Authority("another CA"));

        var error = Assert.Throws<InputException>(() => ClusterTls.CreateSystem(config));

        Assert.StartsWith("STEER_TLS_CERTIFICATE: ", error.Message);
        Assert.Contains("is not issued by STEER_TLS_CA", error.Message);
    }

    private static (X509Certificate2 Certificate, ECDsa Key) Authority(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return (request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1)), key);
    }

    private static X509Certificate2 Member(string name, (X509Certificate2 Certificate, ECDsa Key) issuer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // server and client authentication
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer.Certificate, true, false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var issued = request.Create(issuer.Certificate, DateTimeOffset.UtcNow.AddMinutes(-30), DateTimeOffset.UtcNow.AddHours(12),
            RandomNumberGenerator.GetBytes(8));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>Cluster settings with TLS on: a member certificate issued by <paramref name="issuer"/>, trusting <paramref name="trusted"/>.</summary>
    private static Config TlsConfig(string dir, string name, (X509Certificate2 Certificate, ECDsa Key) issuer,
        (X509Certificate2 Certificate, ECDsa Key) trusted)
    {
        var pfx = Path.Combine(dir, $"{name}.pfx");
        var ca = Path.Combine(dir, $"{name}-ca.pem");
        using (var member = Member(name, issuer))
        {
            File.WriteAllBytes(pfx, member.Export(X509ContentType.Pkcs12, "test-password"));
        }
        File.WriteAllText(ca, trusted.Certificate.ExportCertificatePem());
        var config = ConfigurationFactory.ParseString($$"""
            akka.remote.dot-netty.tcp {
              port = 0
              enable-ssl = on
              ssl.certificate { path = "{{pfx}}", password = "test-password" }
            }
            steerability.tls.ca-certificate = "{{ca}}"
            """).WithFallback(SweepConfig.Cluster(Path.Combine(Sweeps.SweepSpecParserTests.RepoRoot(), "cluster.hocon"), ""));
        return config;
    }
}
