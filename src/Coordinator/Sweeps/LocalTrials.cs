using Steerability.GpuNode.Contract;
using Steerability.Experiments.Runtime;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Sweeps;

/// <summary>
/// The one way a command runs the study: the trials its spec expands to, one after another on this machine, through
/// the runner a sweep's worker uses, without a ledger. Generators train into (or are reused from) the generator store;
/// each walk writes its tables and files into the folder the command gives it.
/// </summary>
public sealed class LocalTrials(SteerPaths paths, string device)
{
    private readonly WalkTrialRunner _runner = new(paths);

    /// <summary>Runs the trials in order (generators come first in an expansion); progress is reported per trial.</summary>
    public async Task RunAsync(IReadOnlyList<TrialSpec> trials, Func<WalkTrial, string> outputFolder, Action<int, int, string> report, CancellationToken cancel)
    {
        var scratch = Directory.CreateTempSubdirectory("steer-local-").FullName;
        try
        {
            var generatorFolders = new Dictionary<string, string>();
            const int Resolution = 1000;
            for (var i = 0; i < trials.Count; i++)
            {
                var trial = trials[i];
                var index = i;
                void Progress(double fraction) => report(index * Resolution + (int)(Math.Clamp(fraction, 0, 1) * Resolution), trials.Count * Resolution, trial.Label);
                switch (trial)
                {
                    case GeneratorTrial generator:
                        var folder = _runner.StoreFolder(generator);
                        Directory.CreateDirectory(folder);
                        await _runner.RunAsync(generator, new TrialContext(Path.Combine(scratch, trial.Key), folder, null, device, Progress), cancel);
                        generatorFolders[trial.Key] = folder;
                        break;
                    case WalkTrial walk:
                        var output = Directory.CreateDirectory(outputFolder(walk)).FullName;
                        var generatorFolder = walk.GeneratorKey.Length > 0 ? generatorFolders[walk.GeneratorKey] : null;
                        await _runner.RunAsync(walk, new TrialContext(output, Path.Combine(scratch, trial.Key + "-artifacts"), generatorFolder, device, Progress), cancel);
                        break;
                }
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
