namespace VirtualNetworking.Core.Firewall;

/// <summary>One per-network rule, matches in libvirt's argument order.</summary>
/// <param name="IsLibvirtRule">False for our additions (DHCP/DNS accepts), which libvirt's nftables backend lacks.</param>
public sealed record FirewallRule(NftFamily Family, string Chain, IReadOnlyList<RuleMatch> Matches, RuleAction Action, bool IsLibvirtRule = true);

/// <summary>
/// A network's rules in the order libvirt issues them. Each is inserted at the head of its chain, so within a
/// chain a later rule is evaluated before an earlier one (exactly as libvirt's "insert rule" sequence).
/// </summary>
public sealed record FirewallPlan(FirewallNetwork Network, IReadOnlyList<FirewallRule> Rules);
