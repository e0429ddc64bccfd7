using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Ports;

namespace VirtualNetworking.Core.Live;

/// <summary>A network's undo journal in the live store, as steps; callers hold the store's lock.</summary>
internal static class UndoJournal
{
    public static void Append(this ILiveNetworkStore live, string name, UndoStep step) => live.AppendUndo(name, step.Encode());

    /// <summary>The network's journal; a torn or unknown line (a crash mid-write) is skipped.</summary>
    public static IReadOnlyList<UndoStep> Steps(this ILiveNetworkStore live, string name) =>
        live.ReadUndo(name).Select(UndoStep.Decode).OfType<UndoStep>().ToList();

    /// <summary>The firewall line an undo acts on (the last one); null when the network journaled no rules.</summary>
    public static UndoStep.RemoveFirewall? FirewallLine(this ILiveNetworkStore live, string name) =>
        live.Steps(name).OfType<UndoStep.RemoveFirewall>().LastOrDefault();

    /// <summary>
    /// After our tables of <paramref name="families"/> were created anew: the handles other networks journaled in them
    /// are stale (a recreated table numbers from the start again) and could name another network's rules, which a stop
    /// would delete. Their stop finds their rules by listing instead.
    /// </summary>
    public static void ForgetHandlesIn(this ILiveNetworkStore live, IReadOnlyList<NftFamily> families, string except)
    {
        if (families.Count == 0) return;
        foreach (var name in live.Names().Where(n => n != except))
            if (live.FirewallLine(name)?.Handles is { } handles && handles.Any(h => families.Contains(h.Family)))
                live.Append(name, new UndoStep.RemoveFirewall());
    }
}
