namespace VirtualNetworking.Core.Health;

/// <summary>The stable ids of Test-VNetworkHealth's checks (scripts and Pester tests match on them; never rename one).</summary>
public static class HealthCheckIds
{
    public const string NetworkActive = "NetworkActive";
    public const string BridgePresent = "BridgePresent";
    public const string BridgeUp = "BridgeUp";
    public const string BridgeAddresses = "BridgeAddresses";
    public const string BridgeMacAddress = "BridgeMacAddress";
    public const string FirewallRules = "FirewallRules";
    public const string Forwarding = "Forwarding";
    public const string DaemonRunning = "DaemonRunning";
    public const string DhcpServed = "DhcpServed";
    /// <summary>vnetd serves the DHCPv6 of a network with an IPv6 &lt;dhcp&gt; block on its bridge.</summary>
    public const string Dhcp6Served = "Dhcp6Served";
    public const string DnsServed = "DnsServed";
    /// <summary>vnetd sends the router advertisements of a network with IPv6 on its bridge.</summary>
    public const string RouterAdvertisementsServed = "RouterAdvertisementsServed";
    public const string SubnetCollision = "SubnetCollision";
    /// <summary>A forward base chain with policy drop in a table not ours (Docker's iptables FORWARD DROP).</summary>
    public const string ForeignForwardDrop = "ForeignForwardDrop";
    /// <summary>br_netfilter with bridge-nf-call-iptables=1: traffic between guests crosses the host's IP firewall.</summary>
    public const string BridgeNetfilter = "BridgeNetfilter";
    /// <summary>An input chain not ours that drops DHCP or DNS to the bridge (ufw's defaults, firewalld zones).</summary>
    public const string ForeignInputDrop = "ForeignInputDrop";
    /// <summary>IPv6 forwarding with an interface that learns routes from RAs and accept_ra is not 2.</summary>
    public const string AcceptRa = "AcceptRa";
}
