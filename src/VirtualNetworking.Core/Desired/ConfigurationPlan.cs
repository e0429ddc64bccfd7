using VirtualNetworking.Core.Engine;

namespace VirtualNetworking.Core.Desired;

/// <summary>What one step of a plan does to a network.</summary>
public enum PlanAction
{
    Create,
    Remove,
    /// <summary>Remove and define again (a new mode): the network gets a new UUID.</summary>
    Redefine,
    Update,
    Autostart,
    AddReservation,
    ChangeReservation,
    RemoveReservation,
    AddPortForward,
    ChangePortForward,
    RemovePortForward,
    Stop,
    /// <summary>Stop and start a running network so that it takes its changed definition.</summary>
    Restart,
    Start,
}

/// <summary>
/// One step of a plan: a property's current and desired value, what is done and what it costs. Values are plain
/// (text, numbers, booleans) so they read well in Pester assertions; null is "none".
/// </summary>
public sealed record PlanStep(string Network, string Property, object? Current, object? Desired, PlanAction Action, ChangeCost Cost)
{
    /// <summary>The Restart step is a consequence of other steps, not a difference of its own.</summary>
    public bool IsDifference => Action != PlanAction.Restart;
}

/// <summary>The steps of one network, in the order they are executed.</summary>
public sealed record NetworkPlan(string Network, DesiredNetwork? Desired, NetworkRecord? Current, IReadOnlyList<PlanStep> Steps)
{
    /// <summary>Executing takes the running network down and up again: allowed only when the caller says so.</summary>
    public bool RestartNeeded =>
        Current?.State == NetworkState.Active && !Steps.Any(s => s.Action is PlanAction.Stop or PlanAction.Remove) && Steps.Any(s => s.Cost != ChangeCost.Live);
}

/// <summary>A plan for the whole host: the networks that differ from the document, each with its steps.</summary>
public sealed record ConfigurationPlan(IReadOnlyList<NetworkPlan> Networks)
{
    public IEnumerable<PlanStep> Steps => Networks.SelectMany(n => n.Steps);
    public IEnumerable<PlanStep> Differences => Steps.Where(s => s.IsDifference);
    public bool IsEmpty => Networks.Count == 0;
}
