using Steerability.Experiments.Studies;
using Steerability.GpuNode.Results;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Cli;

/// <summary>
/// The limits tables of several walks of one command (`steer demo`) gathered into one folder's attributes,
/// variability and correlation tables, which the report draws the paper's figures from.
/// </summary>
public sealed class LimitsTables
{
    private readonly List<AttributeRecord> _attributes = [];
    private readonly List<VariabilityRecord> _variability = [];
    private readonly List<CorrelationRecord> _correlations = [];

    /// <summary>Adds the tables a walk trial wrote into <paramref name="folder"/>, if it measured limits.</summary>
    public async Task AddAsync(string folder, CancellationToken cancel)
    {
        var attributes = Path.Combine(folder, LimitsExperiment.AttributesFile);
        if (!File.Exists(attributes))
        {
            return;
        }
        _attributes.AddRange(await ParquetFile.ReadAsync<AttributeRecord>(attributes, cancel));
        _variability.AddRange(await ParquetFile.ReadAsync<VariabilityRecord>(Path.Combine(folder, LimitsExperiment.VariabilityFile), cancel));
        _correlations.AddRange(await ParquetFile.ReadAsync<CorrelationRecord>(Path.Combine(folder, LimitsExperiment.CorrelationFile), cancel));
    }

    /// <summary>Writes the three combined tables into <paramref name="output"/> (nothing when no walk measured limits).</summary>
    public async Task WriteAsync(string output, CancellationToken cancel)
    {
        if (_attributes.Count == 0)
        {
            return;
        }
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(output, LimitsExperiment.AttributesFile), _attributes, cancel);
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(output, LimitsExperiment.VariabilityFile), _variability, cancel);
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(output, LimitsExperiment.CorrelationFile), _correlations, cancel);
    }
}
