using Spectre.Console.Testing;
using Steerability.Coordinator;
using Steerability.Experiments.Runtime;

namespace Steerability.Coordinator.Tests.Commands;

/// <summary>STEER_CPU_KERNELS is checked like a flag: one line naming it, its value and what is accepted; exit 2; nothing written.</summary>
public sealed class CpuKernelSettingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("steer-kernels-").FullName;
    private readonly string? _saved = Environment.GetEnvironmentVariable(CpuKernels.Variable);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(CpuKernels.Variable, _saved);
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void AnUnknownKernelChoiceStopsTheCommandBeforeItWritesAnything()
    {
        Environment.SetEnvironmentVariable(CpuKernels.Variable, "fastest");
        var output = Path.Combine(_folder, "out");
        var errors = new StringWriter();
        var code = SteerApp.Run(["walk", "--transform", "zoom", "--steps", "1", "--device", "cpu", "--out", output], new TestConsole(), errors);
        Assert.Equal(SteerApp.InputErrorExitCode, code);
        Assert.Equal("steer: STEER_CPU_KERNELS: 'fastest' is not accepted; use onednn-sse41, native, onednn (default onednn-sse41)",
            errors.ToString().Trim());
        Assert.False(Directory.Exists(output));
    }
}
