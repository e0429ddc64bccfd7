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
            // Sorted by first host port, a forward can only clash with those after it that start within its range:
            // n log n for a network with many forwards, where comparing every pair would grow with the square.
            var byPort = forwards.Select((f, i) => (Forward: f, Index: i)).OrderBy(f => f.Forward.HostPort).ToList();
            var clashes = new List<(int First, int Second)>();
            for (var i = 0; i < byPort.Count; i++)
                for (var j = i + 1; j < byPort.Count && byPort[j].Forward.HostPort <= byPort[i].Forward.HostPortLast; j++)
                    if (byPort[i].Forward.ClaimsSameHostPort(byPort[j].Forward))
                        clashes.Add((Math.Min(byPort[i].Index, byPort[j].Index), Math.Max(byPort[i].Index, byPort[j].Index)));
            foreach (var (first, second) in clashes.Order())
                Add(Ids.PortForwardDuplicate, $"Port forwards {forwards[first]} and {forwards[second]} of network '{name}' claim the same host port. Remove one, or give them different host ports or host addresses.", forwards[second].ToString());
        }

        public void NewPortForward(PortForwardDefinition forward)
        {
            if (ForwardingRefusal(definition.Mode) is { } why)
                Add(Ids.PortForwardNotAllowed, $"Network '{name}' cannot take port forwards: its mode '{modeName}' cannot forward: {why} Use a nat or route network.");
            PortForward(forward);
            if (definition.PortForwards.FirstOrDefault(forward.ClaimsSameHostPort) is { } taken)
                Add(Ids.PortForwardDuplicate, $"Network '{name}' forwards that host port already ({taken}), so {forward} cannot be added. Remove that forward first, or use another host port or host address.", forward.ToString());
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
            var what = forward.ToString();
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
            // One problem per host address: of the other family, else not forwardable.
            if (forward.HostAddress is { } host && host.AddressFamily != forward.GuestAddress.AddressFamily)
                Add(Ids.PortForwardInvalid, $"Port forward {what} of network '{name}' goes from an address of one IP family to one of the other ({host} to {forward.GuestAddress}). Use a host address of the guest's family, or none.", host);
            else if (forward.HostAddress is { } own && own.Equals(IPAddress.IPv6Loopback))
                Add(Ids.PortForwardInvalid, $"Port forward {what} of network '{name}' listens on ::1, which the kernel never routes off the host (IPv6 has no route_localnet). Use 127.0.0.1, or leave the host address out to use the host's other addresses.", own);
            else if (forward.HostAddress is { } any && (any.Equals(IPAddress.Any) || any.Equals(IPAddress.IPv6Any) || any.Equals(IPAddress.Broadcast)
                     || any.IsIPv6Multicast || (any.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && any.GetAddressBytes()[0] >= 224)))
                Add(Ids.PortForwardInvalid, $"Port forward {what} of network '{name}' listens on {any}, which is no single address of the host. Leave the host address out to forward on every address of the host.", any);

            foreach (var prefix in forward.SourcePrefixes)
            {
                if (!IpNetwork.TryParse(prefix, requireNetworkAddress: true, out var source, out var problem))
                    Add(Ids.PortForwardSourceInvalid, $"Source prefix '{prefix}' of port forward {what} in network '{name}' is not CIDR: {problem}. Write it as e.g. 203.0.113.0/24.", prefix);
                else if (source.Value.Address.AddressFamily != forward.GuestAddress.AddressFamily)
                    Add(Ids.PortForwardSourceInvalid, $"Source prefix '{prefix}' of port forward {what} in network '{name}' is of the other IP family than the guest {forward.GuestAddress}, so nobody could connect. Give a prefix of the guest's family.", prefix);
            }
        }

    }
}
