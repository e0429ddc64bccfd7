using System.Net.Sockets;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Core.Engine;

/// <summary>Turns a New-VNetwork request into a libvirt definition (pure).</summary>
public static class NetworkRequestBuilder
{
    /// <summary>
    /// Builds the definition. When the request has no subnet and the mode carries addresses,
    /// <paramref name="freeSubnet"/> is called (under the store lock) to pick one.
    /// </summary>
    public static NetworkDefinition Build(NetworkRequest request, Func<IpNetwork> freeSubnet)
    {
        var definition = new NetworkDefinition
        {
            Name = request.Name,
            Title = request.Title,
            Description = request.Description,
            Mtu = request.Mtu,
            MacAddress = MacAddressText.TryNormalize(request.MacAddress, out var mac) ? mac : request.MacAddress,
        };
        if (request.Mode != NetworkMode.Isolated)
            definition.Forward = new ForwardDefinition { Mode = request.Mode };

        if (request.Mode == NetworkMode.Bridged)
        {
            // libvirt refuses a bridge name together with a forward dev: the uplink lives in our own element.
            definition.Bridge = new BridgeDefinition { Name = request.BridgeName };
            definition.UplinkDevice = request.ForwardDevice;
            if (request.Stp is not null || request.Subnet is not null || request.DhcpStart is not null || request.Domain is not null)
                throw new NetworkProblemException(ErrorIds.BridgedOptionInvalid, ProblemCategory.InvalidArgument,
                    "A Bridged network attaches guests to an existing host bridge: -Subnet, -DhcpRange, -Stp and -Domain do not apply. Remove them, or choose -Mode Nat, Routed, Isolated or Open.",
                    request.Name);
            return definition;
        }

        if (request.ForwardDevice is not null)
        {
            if (definition.Forward is null || request.Mode == NetworkMode.Open)
                throw new NetworkProblemException(ErrorIds.ForwardDeviceNotAllowed, ProblemCategory.InvalidArgument,
                    $"-ForwardDevice does not apply to a {request.Mode} network: it names the uplink of a Nat, Routed or Bridged network. Remove it, or choose one of those modes.",
                    request.Name);
            definition.Forward.Interfaces.Add(request.ForwardDevice);
        }
        definition.Bridge = new BridgeDefinition { Name = request.BridgeName, Stp = request.Stp };
        if (request.Domain is not null)
            definition.Domain = new DomainDefinition { Name = request.Domain };

        // IPv4 first, as libvirt lists them. A range goes to the subnet of its family (on a single-family network to its
        // one subnet, where the validator reports a range of the other family). An IPv4 subnet serves DHCP unless told
        // not to; an IPv6 one only when given a range, since its guests configure themselves from the RAs (SLAAC).
        IpNetwork[] subnets = request.Ipv6Subnet is { } six ? [request.Subnet ?? freeSubnet(), six] : [request.Subnet ?? freeSubnet()];
        IpNetwork? ranged = request.DhcpStart is { } first
            ? subnets.FirstOrDefault(s => s.IsIPv6 == (first.AddressFamily == AddressFamily.InterNetworkV6), subnets[0]) : null;
        foreach (var subnet in subnets)
        {
            var ip = new IpDefinition { Address = subnet.FirstHost };
            if (subnet.IsIPv6) { ip.Family = "ipv6"; ip.Prefix = subnet.PrefixLength; }
            else ip.Netmask = subnet.SubnetMask;
            definition.Ips.Add(ip);

            var range = subnet == ranged ? new DhcpRangeDefinition { Start = request.DhcpStart!, End = request.DhcpEnd ?? subnet.LastHost }
                : !subnet.IsIPv6 && !request.NoDhcp ? new DhcpRangeDefinition { Start = IpNetwork.Offset(subnet.FirstHost, 1), End = subnet.LastHost }
                : null;
            if (range is null) continue;
            ip.Dhcp = new DhcpDefinition();
            ip.Dhcp.Ranges.Add(range);
        }
        return definition;
    }
}
