using System.Runtime.CompilerServices;
using Steerability.Experiments.Runtime;
using TorchSharp;

// One test at a time: libtorch's random generator and thread count are process-wide, and a test that seeds the
// generator and draws twice got another test's draws in between when test classes ran in parallel.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Steerability.Experiments.Tests;

/// <summary>Sets up libtorch once, before any test runs, as the program does through ComputeDevice.Resolve.</summary>
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
