using System.Text.Json.Nodes;
using VirtualNetworking.Core.Firewall;

namespace VirtualNetworking.Linux.Nftables;

/// <summary>
/// Applies and removes a network's firewall rules through libnftables. All decisions are made by the pure
/// <see cref="FirewallPlanner"/>; this class only runs the resulting JSON transaction (and lists our tables
/// on the fallback path). Callers serialise changes and say whether other networks still have rules.
/// </summary>
public sealed class NftablesFirewall
{
    private readonly INftRunner nft;
    private readonly string? countersFile;

    /// <param name="countersFile">
    /// Where the tables' handle counters are kept between calls (under /run; callers serialise changes). With it
    /// an apply predicts its handles (cost independent of the ruleset); without it, or when the prediction is
    /// refused, the apply runs with echo (nft -e; nft then dumps the ruleset first).
    /// </param>
    public NftablesFirewall(string? countersFile = null) : this(Libnftables.Instance, countersFile) { }

    internal NftablesFirewall(INftRunner nft, string? countersFile)
    {
        this.nft = nft;
        this.countersFile = countersFile;
    }

    /// <summary>
    /// Adds the network's rules in one transaction and one libnftables call (no listing) and returns their handles,
    /// which <see cref="Remove(FirewallNetwork, IReadOnlyList{RuleHandle}?, bool)"/> needs, and which of our tables it
    /// created. <paramref name="replacing"/>: the handles of an earlier apply of the same network, deleted in the same
    /// transaction. The bridge is matched by name, so it need not exist yet.
    /// </summary>
    public AppliedRules Apply(FirewallNetwork network, IReadOnlyList<RuleHandle>? replacing = null) =>
        Apply(FirewallPlanner.Plan(network), replacing);

    /// <summary>
    /// Changes a running network's port forwards from <paramref name="before"/>'s to <paramref name="after"/>'s: elements of
    /// the shared maps deleted and added in one transaction, no rule touched. False, with nothing changed, when an element
    /// or our tables are gone (re-apply the network then).
    /// </summary>
    public bool ChangeForwards(FirewallNetwork before, FirewallNetwork after)
    {
        var transaction = FirewallPlanner.BuildForwardChangeTransaction(before, after);
        if (transaction.IsEmpty) return true;
        var result = nft.Run(transaction.ToJsonString());
        if (result.ExitCode != 0 && IsNoSuchTable(result)) return false;
        result.ThrowIfFailed($"change the port forwards of network '{after.Name}'");
        return true;
    }

    private AppliedRules Apply(FirewallPlan plan, IReadOnlyList<RuleHandle>? replacing)
    {
        var network = plan.Network;
        if (plan.Rules.Count == 0)
        {
            Run(FirewallPlanner.BuildApplyTransaction(plan, replacing), $"apply the rules of network '{network.Name}'");
            return new AppliedRules([], []);
        }
        if (ReadCounters() is { } counters)
        {
            var predicted = FirewallPlanner.BuildApplyTransaction(plan, counters, replacing);
            var result = nft.Run(predicted.Transaction.ToJsonString());
            if (result.ExitCode == 0)
            {
                WriteCounters(predicted.After);
                // The probe confirmed the prediction, so a table predicted absent (counter 0) was created.
                return new AppliedRules(predicted.Handles, [.. FirewallLayout.Families.Where(f => counters.For(f) == 0)]);
            }
            // ENOENT: the probe was not where predicted (our tables changed behind our back); nothing was applied.
            if (!IsNoSuchTable(result)) result.ThrowIfFailed($"apply the rules of network '{network.Name}'");
        }
        var echoed = nft.Run(FirewallPlanner.BuildApplyTransaction(plan, replacing).ToJsonString(), echo: true)
            .ThrowIfFailed($"apply the rules of network '{network.Name}'");
        var created = RuleHandle.CreatedTablesFromEcho(echoed.StandardOutput);
        try
        {
            WriteCounters(RuleHandle.CountersFromEcho(echoed.StandardOutput));
            return new AppliedRules(RuleHandle.ParseEcho(echoed.StandardOutput, network.Tag), created);
        }
        catch (FormatException)
        {
            // Seen once in a full test run under load: libnftables' echo left a rule without its handle. The rules are
            // in place (the transaction succeeded), so their handles come from a listing instead; counters are re-learnt.
            WriteCounters(null);
            return new AppliedRules([.. List().Rules.Where(r => r.Comment == network.Tag).Select(r => new RuleHandle(r.Family, r.Chain, r.Handle))], created);
        }
    }

    /// <summary>
    /// Deletes the network's rules in one libnftables call: by <paramref name="handles"/> (no listing), or our
    /// tables when <paramref name="othersHaveRules"/> is false. Without handles (a start killed before they
    /// were recorded), or when the handles or tables are gone (ENOENT), falls back to a listing and removal
    /// by the network's tag. Missing rules are fine.
    /// </summary>
    public void Remove(FirewallNetwork network, IReadOnlyList<RuleHandle>? handles, bool othersHaveRules)
    {
        if (handles is null) { Remove(network); return; }
        var transaction = FirewallPlanner.BuildRemoveTransaction(network, handles, othersHaveRules);
        if (transaction.IsEmpty) return;
        var result = nft.Run(transaction.ToJsonString());
        if (result.ExitCode != 0 && IsNoSuchTable(result)) Remove(network);
        else
        {
            result.ThrowIfFailed($"remove the rules of network '{network.Name}'");
            // Deleting rules allocates no handles, so the counters stay valid; with our tables gone the file goes
            // too (/run is left as before the first start), and the next apply predicts fresh tables' counters.
            if (!othersHaveRules) WriteCounters(null);
        }
    }

    /// <summary>
    /// Removal by listing (two `nft list` calls, then the transaction): deletes the rules tagged with the
    /// network's tag and the port forward elements to its subnets, our tables too when no other network's rules are left.
    /// Missing rules are fine.
    /// </summary>
    public void Remove(FirewallNetwork network)
    {
        var transaction = FirewallPlanner.BuildRemoveTransaction(network, List());
        Run(transaction, $"remove the rules of network '{network.Name}'");
        if (!transaction.IsEmpty) WriteCounters(null); // whether the tables went depends on the listing: re-learn
    }

    /// <summary>Our ip and ip6 tables as they are now; an absent table contributes nothing.</summary>
    public NftListing List()
    {
        var documents = new List<JsonNode?>();
        foreach (var family in FirewallLayout.Families)
        {
            var result = nft.Run($"list table {family.ToNft()} {FirewallLayout.TableName}");
            if (result.ExitCode != 0 && IsNoSuchTable(result)) continue;
            documents.Add(JsonNode.Parse(result.ThrowIfFailed($"list table {family.ToNft()} {FirewallLayout.TableName}").StandardOutput));
        }
        return NftListing.Parse(documents);
    }

    /// <summary>Whether our ip or ip6 table exists.</summary>
    public bool TablesExist() =>
        NftListing.Parse([JsonNode.Parse(nft.Run("list tables").ThrowIfFailed("list tables").StandardOutput)]).Tables.Count > 0;

    private void Run(NftTransaction transaction, string action)
    {
        if (transaction.IsEmpty) return;
        nft.Run(transaction.ToJsonString()).ThrowIfFailed(action);
    }

    private HandleCounters? ReadCounters()
    {
        if (countersFile is null) return null;
        // No file: our tables went with the last network's rules (the file goes with them), so a first start predicts
        // fresh tables' counters. Should the tables exist after all, the probe refuses the prediction and the echo
        // learns the counters.
        if (!File.Exists(countersFile)) return HandleCounters.Absent;
        try { return HandleCounters.TryParse(File.ReadAllText(countersFile)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; } // unknown: echo
    }

    /// <summary>
    /// Null forgets them (the next apply learns them from nft's echo). Called only after nft succeeded; best
    /// effort, since a stale file costs one echo apply (the probe refuses it), never a wrong handle.
    /// </summary>
    private void WriteCounters(HandleCounters? counters)
    {
        if (countersFile is null) return;
        try
        {
            if (counters is null) { File.Delete(countersFile); return; }
            Directory.CreateDirectory(Path.GetDirectoryName(countersFile)!);
            File.WriteAllText(countersFile, counters.ToString());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>nft reports a missing table, chain or rule handle as ENOENT; nft does not localise its messages.</summary>
    private static bool IsNoSuchTable(NftResult result) =>
        result.StandardError.Contains("No such file or directory", StringComparison.Ordinal);
}
