namespace Steerability.Coordinator.Sweeps;

/// <summary>A spec's device policy, as the ledger places trials and `steer run` checks its local workers.</summary>
public static class DevicePolicy
{
    /// <summary>`auto` runs anywhere; `cpu` only on CPU workers; `cuda` only on CUDA workers.</summary>
    public static bool Fits(string policy, string device) => policy switch
    {
        "cpu" => device == "cpu",
        "cuda" => device.StartsWith("cuda", StringComparison.Ordinal),
        _ => true,
    };
}
