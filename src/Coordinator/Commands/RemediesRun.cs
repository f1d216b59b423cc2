using Steerability.Experiments.Studies;
using Steerability.GpuNode.Results;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Commands;

/// <summary>
/// Runs a small set of sweep trials one after another on this machine, without a ledger: generators train into the
/// generator store (so a later run reuses them), walks write into a scratch folder, and their alpha_metrics rows are
/// gathered into OUT/alpha_metrics.parquet, written once at the end.
/// </summary>
public static class RemediesRun
{
    public static async Task<IReadOnlyList<WalkMetricRecord>> RunAsync(IReadOnlyList<TrialSpec> trials, WalkTrialRunner runner, string device, string output,
        Action<int, int, string> report, CancellationToken cancel)
    {
        var scratch = Directory.CreateTempSubdirectory("steer-remedies-").FullName;
        try
        {
            var generatorFolders = new Dictionary<string, string>();
            var rows = new List<WalkMetricRecord>();
            const int Resolution = 1000;
            for (var i = 0; i < trials.Count; i++)
            {
                var trial = trials[i];
                var index = i;
                void Progress(double fraction) => report(index * Resolution + (int)(Math.Clamp(fraction, 0, 1) * Resolution), trials.Count * Resolution, trial.Label);
                if (trial.Kind == "generator")
                {
                    var folder = runner.StoreFolder(trial);
                    Directory.CreateDirectory(folder);
                    await runner.RunAsync(trial, new TrialContext(Path.Combine(scratch, trial.Key), folder, null, device, Progress), cancel);
                    generatorFolders[trial.Key] = folder;
                    continue;
                }
                var walkFolder = Directory.CreateDirectory(Path.Combine(scratch, trial.Key)).FullName;
                var generatorFolder = trial.GeneratorKey.Length > 0 ? generatorFolders[trial.GeneratorKey] : null;
                await runner.RunAsync(trial, new TrialContext(walkFolder, Path.Combine(scratch, trial.Key + "-artifacts"), generatorFolder, device, Progress), cancel);
                rows.AddRange(await ParquetFile.ReadAsync<WalkMetricRecord>(Path.Combine(walkFolder, WalkExperiment.MetricsFile)));
            }
            Directory.CreateDirectory(output);
            await ParquetFile.WriteAtomicallyAsync(Path.Combine(output, WalkExperiment.MetricsFile), rows, cancel);
            return rows;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
