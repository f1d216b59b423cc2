using System.Diagnostics;
using System.Globalization;

namespace Steerability.Coordinator.Sweeps;

/// <summary>
/// A test hook for the crash the coordinator's design is about: with STEER_KILL_AFTER_PERSIST=N the process kills
/// itself (SIGKILL) once the coordinator has journaled its Nth event of this process, before applying it, replying or
/// running its effects (tests/scripts/persist-kill.sh). Unset, it does nothing.
/// </summary>
internal static class PersistKillPoint
{
    public const string Variable = "STEER_KILL_AFTER_PERSIST";

    private static readonly int At = int.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.None,
        CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static int _persisted;

    /// <summary>Counts one journaled event, and kills the process when it is the Nth.</summary>
    public static void Persisted(ILedgerEvent @event)
    {
        if (At > 0 && Interlocked.Increment(ref _persisted) == At)
        {
            Console.Error.WriteLine($"steer: {Variable}={At}: killed after journaling {@event}, before applying it");
            Console.Error.Flush();
            Process.GetCurrentProcess().Kill();
        }
    }
}
