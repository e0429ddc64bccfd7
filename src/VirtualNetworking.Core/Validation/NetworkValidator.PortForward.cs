using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Model;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Validation;

/// <summary>Port forwards (our extension): ports, the guest's subnet, source prefixes, the mode, overlaps.</summary>
public static partial class NetworkValidator
{
    private sealed partial class Checker
    {
        public void PortForwards()
        {
            var forwards = definition.PortForwards;
            if (forwards.Count == 0) return;
            if (ForwardingRefusal(definition.Mode) is { } why)
                Add(Ids.PortForwardNotAllowed, $"Network '{name}' has port forwards, but its mode '{modeName}' cannot forward: {why} Remove the forwards, or use a nat or route network.");
            foreach (var forward in forwards) PortForward(forward);
            for (var i = 0; i < forwards.Count; i++)
                for (var j = i + 1; j < forwards.Count; j++)
                    if (Overlap(forwards[i], forwards[j]))
                        Add(Ids.PortForwardDuplicate, $"Port forwards {Describe(forwards[i])} and {Describe(forwards[j])} of network '{name}' claim the same host port. Remove one, or give them different host ports or host addresses.", Describe(forwards[j]));
        }

        private static string? ForwardingRefusal(NetworkMode mode) => mode switch
        {
            NetworkMode.Nat or NetworkMode.Routed => null,
            NetworkMode.Isolated => "an isolated network has no path between the host's outside and its guests.",
            NetworkMode.Open => "the module installs no firewall rules for an open network, so it adds no forwarding rules either; the host's own firewall decides.",
            NetworkMode.Bridged => "its guests are on the uplink's LAN with their own addresses, and the host does not route their traffic; connect to the guest directly.",
            _ => "its guests' traffic does not pass through the host's IP stack.",
        };

        private void PortForward(PortForwardDefinition forward)
        {
            var what = Describe(forward);
            var ports = new[] { forward.HostPort, forward.HostPortEnd, forward.GuestPort, forward.GuestPortEnd };
            if (ports.Any(p => p is < 1 or > 65535))
                Add(Ids.PortForwardPortInvalid, $"Port forward {what} of network '{name}' has a port outside 1-65535. Use ports from 1 to 65535.", what);
            else if (forward.HostPortLast < forward.HostPort || forward.GuestPortLast < forward.GuestPortFirst)
                Add(Ids.PortForwardPortInvalid, $"Port forward {what} of network '{name}' has a range that ends before it starts. Write the lower port first, e.g. 8000-8010.", what);
            else if (forward.HostPortLast - forward.HostPort != forward.GuestPortLast - forward.GuestPortFirst)
                Add(Ids.PortForwardPortInvalid, $"Port forward {what} of network '{name}' maps {forward.HostPortLast - forward.HostPort + 1} host ports to {forward.GuestPortLast - forward.GuestPortFirst + 1} guest ports. Give a guest range of the same length, or leave the guest port out to use the host's.", what);

            if (!definition.Ips.Any(ip => Reachable(ip, forward.GuestAddress)))
                Add(Ids.PortForwardGuestOutsideSubnet, $"Port forward {what} of network '{name}' goes to {forward.GuestAddress}, which is in none of the network's <ip> subnets. Give a guest address on the network.", forward.GuestAddress);
            else if (definition.Ips.Any(ip => ip.Address.Equals(forward.GuestAddress)))
                Add(Ids.PortForwardGuestOutsideSubnet, $"Port forward {what} of network '{name}' goes to {forward.GuestAddress}, the host's own address on the network. Give a guest's address.", forward.GuestAddress);
            if (forward.HostAddress is { } host && host.AddressFamily != forward.GuestAddress.AddressFamily)
                Add(Ids.PortForwardInvalid, $"Port forward {what} of network '{name}' goes from an address of one IP family to one of the other ({host} to {forward.GuestAddress}). Use a host address of the guest's family, or none.", host);

            foreach (var prefix in forward.SourcePrefixes)
            {
                if (!IpNetwork.TryParse(prefix, requireNetworkAddress: true, out var source, out var problem))
                    Add(Ids.PortForwardSourceInvalid, $"Source prefix '{prefix}' of port forward {what} in network '{name}' is not CIDR: {problem}. Write it as e.g. 203.0.113.0/24.", prefix);
                else if (source.Value.Address.AddressFamily != forward.GuestAddress.AddressFamily)
                    Add(Ids.PortForwardSourceInvalid, $"Source prefix '{prefix}' of port forward {what} in network '{name}' is of the other IP family than the guest {forward.GuestAddress}, so nobody could connect. Give a prefix of the guest's family.", prefix);
            }
        }

        /// <summary>Same protocol and family, host port ranges that share a port, and host addresses that can be the same (none = all).</summary>
        private static bool Overlap(PortForwardDefinition a, PortForwardDefinition b) =>
            a.Protocol == b.Protocol
            && a.GuestAddress.AddressFamily == b.GuestAddress.AddressFamily
            && a.HostPort <= b.HostPortLast && b.HostPort <= a.HostPortLast
            && (a.HostAddress is null || b.HostAddress is null || a.HostAddress.Equals(b.HostAddress));

        /// <summary>"tcp 8080 -> 192.168.122.10:80" as the messages name a forward.</summary>
        internal static string Describe(PortForwardDefinition forward)
        {
            var host = forward.HostPortEnd is null ? $"{forward.HostPort}" : $"{forward.HostPort}-{forward.HostPortLast}";
            var guest = forward.GuestPortFirst == forward.GuestPortLast ? $"{forward.GuestPortFirst}" : $"{forward.GuestPortFirst}-{forward.GuestPortLast}";
            var hostAddress = forward.HostAddress is null ? "" : Bracketed(forward.HostAddress) + ":";
            return $"{forward.Protocol.ToString().ToLowerInvariant()} {hostAddress}{host} -> {Bracketed(forward.GuestAddress)}:{guest}";
        }

        private static string Bracketed(IPAddress address) =>
            address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
    }
}
