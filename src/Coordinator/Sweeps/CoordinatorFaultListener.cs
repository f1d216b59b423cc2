using Akka.Actor;

namespace Steerability.Coordinator.Sweeps;

/// <summary>
/// Counts the coordinator's <see cref="CoordinatorFault"/>s on the event stream and fails <see cref="Fatal"/> once
/// there are more than the restarts allowed (0 for `steer run`, whose coordinator is not restarted).
/// </summary>
internal sealed class CoordinatorFaultListener : ReceiveActor
{
    public CoordinatorFaultListener(int restartsAllowed, TaskCompletionSource<string> fatal)
    {
        var faults = 0;
        Receive<CoordinatorFault>(fault =>
        {
            if (++faults > restartsAllowed)
            {
                fatal.TrySetResult(restartsAllowed > 0 ? $"{fault.Reason} (after {restartsAllowed} restart(s))" : fault.Reason);
            }
        });
    }
}

/// <summary>Starts <see cref="CoordinatorFaultListener"/>s.</summary>
internal static class CoordinatorFaults
{
    /// <summary>Starts a listener; the task completes with the reason when the coordinator is given up.</summary>
    public static Task<string> Start(ActorSystem system, int restartsAllowed)
    {
        var fatal = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listener = system.ActorOf(Props.Create(() => new CoordinatorFaultListener(restartsAllowed, fatal)), "coordinator-faults");
        system.EventStream.Subscribe(listener, typeof(CoordinatorFault));
        return fatal.Task;
    }
}
