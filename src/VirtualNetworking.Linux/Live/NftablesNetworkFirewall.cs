using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Linux.Nftables;

namespace VirtualNetworking.Linux.Live;

/// <summary>The engine's firewall port over nft; nft's failures become the module's problems.</summary>
public sealed class NftablesNetworkFirewall : INetworkFirewall
{
    private readonly Lazy<NftablesFirewall> nft;

    /// <param name="paths">The tables' handle counters are kept under its run directory.</param>
    public NftablesNetworkFirewall(StatePaths paths) =>
        nft = new(() => new NftablesFirewall(countersFile: Path.Combine(paths.RunDirectory, "nft-handle-counters")));

    public AppliedRules Apply(FirewallNetwork network, IReadOnlyList<RuleHandle>? replacing = null) => Do(() => nft.Value.Apply(network, replacing));

    public bool ChangeForwards(FirewallNetwork before, FirewallNetwork after) => Do(() => nft.Value.ChangeForwards(before, after));

    public void Remove(FirewallNetwork network, IReadOnlyList<RuleHandle>? handles, bool othersHaveRules) =>
        Do(() => { nft.Value.Remove(network, handles, othersHaveRules); return 0; });

    public NftListing List() => Do(nft.Value.List);

    private static T Do<T>(Func<T> action)
    {
        try { return action(); }
        catch (NftablesException e) when (e.StandardError.Contains("Operation not permitted", StringComparison.Ordinal))
        {
            throw new NetworkProblemException(ErrorIds.PermissionDenied, ProblemCategory.PermissionDenied,
                $"nftables refused the change: {e.Message} Changing firewall rules needs root (CAP_NET_ADMIN): run pwsh as root.");
        }
        catch (NftablesException e)
        {
            throw new NetworkProblemException(ErrorIds.FirewallFailed, ProblemCategory.InvalidOperation,
                $"The firewall change failed: {e.Message}");
        }
    }
}
