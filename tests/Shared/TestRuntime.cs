using System.Runtime.CompilerServices;
using Steerability.Experiments.Runtime;
using TorchSharp;

// Tests run one at a time. libtorch keeps one random generator and one thread count for the whole process: when test
// classes ran side by side, a test that seeded the generator (torch.manual_seed, as every trainer and command does)
// and then drew from it could get draws taken in between by a test of another class, so its weights and figures
// changed from run to run.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Steerability.Tests;

/// <summary>
/// Sets up libtorch once per test assembly, before any test runs, as the program does through ComputeDevice.Resolve.
/// Compiled into each test project (linked from tests/Shared).
/// </summary>
internal static class TestRuntime
{
    /// <summary>
    /// The threads every test computes with. A fixed count gives every machine the same reduction order, so a test's
    /// figures do not move with the machine's core count.
    /// </summary>
    public const int Threads = 2;

    [ModuleInitializer]
    internal static void Initialise()
    {
        CpuKernels.Apply();
        torch.set_num_threads(Threads);
    }
}
