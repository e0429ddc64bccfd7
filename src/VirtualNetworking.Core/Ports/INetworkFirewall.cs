using VirtualNetworking.Core.Firewall;

namespace VirtualNetworking.Core.Ports;

/// <summary>A network's nftables rules: one transaction (no listing) per change.</summary>
public interface INetworkFirewall
{
    /// <summary>
    /// Inserts the network's rules (creating our tables when absent); returns their handles, which removal needs.
    /// <paramref name="replacing"/>: rules of the network still in place, deleted in the same transaction.
    /// </summary>
    AppliedRules Apply(FirewallNetwork network, IReadOnlyList<RuleHandle>? replacing = null);
    /// <summary>
    /// Changes a running network's port forwards from <paramref name="before"/>'s to <paramref name="after"/>'s in one
    /// transaction that touches no rule; false, with nothing changed, when something to delete (or our tables) is gone.
    /// </summary>
    bool ChangeForwards(FirewallNetwork before, FirewallNetwork after);
    /// <summary>
    /// Removes that network's rules; missing rules are fine. <paramref name="handles"/>: as returned by Apply,
    /// or null when unknown (a start killed before recording them: the rules are then found by listing).
    /// <paramref name="othersHaveRules"/>: false when no other network with live state has firewall rules, so
    /// our tables go.
    /// </summary>
    void Remove(FirewallNetwork network, IReadOnlyList<RuleHandle>? handles, bool othersHaveRules);
    /// <summary>Our tables and their rules as they are now: a listing, which costs in proportion to the rules.</summary>
    NftListing List();
}
