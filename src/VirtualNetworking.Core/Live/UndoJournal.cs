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
    /// Replaces the firewall lines with <paramref name="line"/>, where the first of them stood (undo order is kept):
    /// live port forward changes come and go often, and appending would grow the journal by the network's handles each time.
    /// </summary>
    public static void ReplaceFirewallLine(this ILiveNetworkStore live, string name, UndoStep.RemoveFirewall line)
    {
        var steps = live.Steps(name);
        var at = steps.ToList().FindIndex(s => s is UndoStep.RemoveFirewall);
        var kept = steps.Where(s => s is not UndoStep.RemoveFirewall).ToList();
        kept.Insert(at < 0 ? kept.Count : at, line);
        live.RewriteUndo(name, [.. kept.Select(s => s.Encode())]);
    }

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
