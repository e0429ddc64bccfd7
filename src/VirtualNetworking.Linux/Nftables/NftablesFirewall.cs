using System.Text.Json.Nodes;
using VirtualNetworking.Core.Firewall;

namespace VirtualNetworking.Linux.Nftables;

/// <summary>
/// Applies and removes a network's firewall rules with nft. All decisions are made by the pure
/// <see cref="FirewallPlanner"/>; this class only runs the resulting JSON transaction (and lists our tables
/// on the fallback path). Callers serialise changes and say whether other networks still have rules.
/// </summary>
public sealed class NftablesFirewall
{
    private readonly NftCommand nft;

    /// <param name="nftPath">The nft binary; null = /usr/sbin/nft or the first on PATH.</param>
    public NftablesFirewall(string? nftPath = null) => nft = new NftCommand(nftPath ?? NftCommand.Locate());

    public string NftPath => nft.Path;

    /// <summary>
    /// Adds the network's rules in one transaction and one nft process (`nft -e -j -f -`, no listing) and
    /// returns their handles, which <see cref="Remove(FirewallNetwork, IReadOnlyList{RuleHandle}?, bool)"/>
    /// needs. <paramref name="replacing"/>: the handles of an earlier apply of the same network, deleted in the
    /// same transaction. The bridge must exist.
    /// </summary>
    public IReadOnlyList<RuleHandle> Apply(FirewallNetwork network, int bridgeIfIndex, IReadOnlyList<RuleHandle>? replacing = null)
    {
        var transaction = FirewallPlanner.BuildApplyTransaction(FirewallPlanner.Plan(network), bridgeIfIndex, replacing);
        if (transaction.IsEmpty) return [];
        var result = nft.Run(["-e", "-j", "-f", "-"], transaction.ToJsonString()).ThrowIfFailed($"apply the rules of network '{network.Name}'");
        return RuleHandle.ParseEcho(result.StandardOutput, network.Tag);
    }

    /// <summary>
    /// Deletes the network's rules in one nft process: by <paramref name="handles"/> (no listing), or our
    /// tables when <paramref name="othersHaveRules"/> is false. Without handles (a start killed before they
    /// were recorded), or when the handles or tables are gone (ENOENT), falls back to a listing and removal
    /// by the network's tag. Missing rules are fine.
    /// </summary>
    public void Remove(FirewallNetwork network, IReadOnlyList<RuleHandle>? handles, bool othersHaveRules)
    {
        if (handles is null) { Remove(network); return; }
        var transaction = FirewallPlanner.BuildRemoveTransaction(handles, othersHaveRules);
        if (transaction.IsEmpty) return;
        var result = nft.Run(["-j", "-f", "-"], transaction.ToJsonString());
        if (result.ExitCode != 0 && IsNoSuchTable(result)) Remove(network);
        else result.ThrowIfFailed($"remove the rules of network '{network.Name}'");
    }

    /// <summary>
    /// Removal by listing (two `nft list` processes, then the transaction): deletes the rules tagged with the
    /// network's tag, our tables too when no other network's rules are left. Missing rules are fine.
    /// </summary>
    public void Remove(FirewallNetwork network) =>
        Run(FirewallPlanner.BuildRemoveTransaction(network.Tag, List()), $"remove the rules of network '{network.Name}'");

    /// <summary>Our ip and ip6 tables as they are now; an absent table contributes nothing.</summary>
    public NftListing List()
    {
        var documents = new List<JsonNode?>();
        foreach (var family in FirewallLayout.Families)
        {
            var result = nft.Run(["-j", "list", "table", family.ToNft(), FirewallLayout.TableName]);
            if (result.ExitCode != 0 && IsNoSuchTable(result)) continue;
            documents.Add(JsonNode.Parse(result.ThrowIfFailed($"list table {family.ToNft()} {FirewallLayout.TableName}").StandardOutput));
        }
        return NftListing.Parse(documents);
    }

    /// <summary>Whether our ip or ip6 table exists.</summary>
    public bool TablesExist() =>
        NftListing.Parse([JsonNode.Parse(nft.Run(["-j", "list", "tables"]).ThrowIfFailed("list tables").StandardOutput)]).Tables.Count > 0;

    private void Run(NftTransaction transaction, string action)
    {
        if (transaction.IsEmpty) return;
        nft.Run(["-j", "-f", "-"], transaction.ToJsonString()).ThrowIfFailed(action);
    }

    /// <summary>nft reports a missing table, chain or rule handle as ENOENT; nft does not localise its messages.</summary>
    private static bool IsNoSuchTable(NftResult result) =>
        result.StandardError.Contains("No such file or directory", StringComparison.Ordinal);
}
