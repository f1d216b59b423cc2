using Spectre.Console.Testing;
using Steerability.Coordinator;

namespace Steerability.Coordinator.Tests.Commands;

/// <summary>Every bad input to `steer walk` gives one line naming it, exit code 2, and nothing written.</summary>
public sealed class WalkInputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("steer-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private (int Code, string Errors, string Output) Run(params string[] args)
    {
        var console = new TestConsole();
        var errors = new StringWriter();
        var code = SteerApp.Run(args, console, errors);
        return (code, errors.ToString(), console.Output);
    }

    public static TheoryData<string[], string, string> BadInputs => new()
    {
        { ["--model", "imagenet"], "--model", "'imagenet'" },
        { ["--transform", "shear"], "--transform", "'shear'" },
        { ["--walk", "spline"], "--walk", "'spline'" },
        { ["--class", "dodecahedron"], "--class", "'dodecahedron'" },
        { ["--class", "12"], "--class", "'12'" },
        { ["--steps", "0"], "--steps", "0" },
        { ["--batch", "-4"], "--batch", "-4" },
        { ["--eval-latents", "0"], "--eval-latents", "0" },
        { ["--device", "tpu"], "--device", "'tpu'" },
        { ["--model", "mnist", "--data", "/nonexistent/mnist"], "--data", "/nonexistent/mnist" },
        { ["--checkpoint", "/nonexistent/checkpoint"], "--checkpoint", "/nonexistent/checkpoint" },
        { ["--walk", "nonlinear", "--per-class"], "--per-class", "linear" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputIsOneLineExitTwoAndNothingWritten(string[] bad, string flag, string value)
    {
        var output = Path.Combine(_folder, "out");
        var args = new List<string> { "walk", "--transform", "zoom", "--out", output, "--device", "cpu" };
        for (var i = 0; i < bad.Length; i += 2)
        {
            var at = args.IndexOf(bad[i]);
            if (at >= 0 && i + 1 < bad.Length && bad[i + 1].StartsWith("--", StringComparison.Ordinal) == false)
            {
                args[at + 1] = bad[i + 1];
            }
            else
            {
                args.Add(bad[i]);
                if (i + 1 < bad.Length)
                {
                    args.Add(bad[i + 1]);
                }
            }
        }
        var (code, errors, _) = Run(args.ToArray());
        Assert.Equal(2, code);
        var lines = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(flag, lines[0]);
        Assert.Contains(value, lines[0]);
        Assert.False(Directory.Exists(output), "nothing is written on bad input");
    }

    [Fact]
    public void AnOutFolderUnderAFileIsRefused()
    {
        var file = Path.Combine(_folder, "plain-file");
        File.WriteAllText(file, "x");
        var (code, errors, _) = Run("walk", "--transform", "zoom", "--device", "cpu", "--out", Path.Combine(file, "results"));
        Assert.Equal(2, code);
        Assert.Contains("--out", errors);
        Assert.Equal("x", File.ReadAllText(file));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void AReadOnlyOutFolderIsRefused()
    {
        var locked = Path.Combine(_folder, "locked");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            if (Environment.UserName == "root")
            {
                // root writes anywhere; a folder under /proc is unwritable for everyone.
                locked = "/proc/steer-results";
            }
            var (code, errors, _) = Run("walk", "--transform", "zoom", "--device", "cpu", "--out", Path.Combine(locked, "results"));
            Assert.Equal(2, code);
            Assert.Contains("--out", errors);
            Assert.Contains("not writable", errors);
        }
        finally
        {
            File.SetUnixFileMode(Path.Combine(_folder, "locked"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void AnUnknownFlagIsOneLineExitTwo()
    {
        var (code, errors, _) = Run("walk", "--transform", "zoom", "--out", _folder, "--colour", "red");
        Assert.Equal(2, code);
        Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("colour", errors);
    }

    [Fact]
    public void AskingForCudaWithoutLibtorchSaysWhy()
    {
        var previous = Environment.GetEnvironmentVariable("STEER_LIBTORCH");
        Environment.SetEnvironmentVariable("STEER_LIBTORCH", null);
        try
        {
            var (code, errors, _) = Run("bench", "walk", "--device", "cuda", "--steps", "1");
            Assert.Equal(2, code);
            Assert.Contains("--device: 'cuda' cannot start", errors);
            Assert.Contains("STEER_LIBTORCH", errors);
        }
        finally
        {
            Environment.SetEnvironmentVariable("STEER_LIBTORCH", previous);
        }
    }
}
