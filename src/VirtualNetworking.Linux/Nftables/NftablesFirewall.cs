using System.Text.Json.Nodes;
using VirtualNetworking.Core.Firewall;

namespace VirtualNetworking.Linux.Nftables;

/// <summary>
/// Applies and removes a network's firewall rules with nft. All decisions are made by the pure
/// <see cref="FirewallPlanner"/>; this class only lists our tables and runs the resulting JSON transaction.
/// Callers serialise changes (the list → transaction step is not atomic across concurrent callers).
/// </summary>
public sealed class NftablesFirewall
{
    private readonly NftCommand nft;

    /// <param name="nftPath">The nft binary; null = /usr/sbin/nft or the first on PATH.</param>
    public NftablesFirewall(string? nftPath = null) => nft = new NftCommand(nftPath ?? NftCommand.Locate());

    public string NftPath => nft.Path;

    /// <summary>Adds (or replaces) the network's rules in one transaction. The bridge must exist.</summary>
    public void Apply(FirewallNetwork network, int bridgeIfIndex) =>
        Run(FirewallPlanner.BuildApplyTransaction(FirewallPlanner.Plan(network), bridgeIfIndex, List()), $"apply the rules of network '{network.Name}'");

    /// <summary>Deletes the network's rules (our tables too when it was the last one). Missing rules are fine.</summary>
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

    /// <summary>nft reports a missing table as ENOENT; nft does not localise its messages.</summary>
    private static bool IsNoSuchTable(NftResult result) =>
        result.StandardError.Contains("No such file or directory", StringComparison.Ordinal);
}
