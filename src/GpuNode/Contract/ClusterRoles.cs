using Akka.Actor;
using Akka.Cluster.Tools.Singleton;

namespace Steerability.GpuNode.Contract;

/// <summary>The cluster roles of a sweep and the way a member reaches the coordinator singleton.</summary>
public static class ClusterRoles
{
    /// <summary>The member that hosts the coordinator singleton (and its journal).</summary>
    public const string Coordinator = "coordinator";

    /// <summary>A member with workers (one per device).</summary>
    public const string Gpu = "gpu";

    /// <summary>A proxy to the coordinator singleton, wherever in the cluster it runs now.</summary>
    public static IActorRef CoordinatorProxy(ActorSystem system) =>
        system.ActorOf(ClusterSingletonProxy.Props("/user/coordinator",
            ClusterSingletonProxySettings.Create(system).WithRole(Coordinator)), "coordinator-proxy");
}
