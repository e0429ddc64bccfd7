using System.Buffers.Binary;
using System.Net;

namespace VirtualNetworking.Linux.Netlink;

public sealed partial class RtnetlinkClient
{
    /// <summary>Addresses of both families on all links.</summary>
    public IReadOnlyList<AddressInfo> GetAddresses()
    {
        var request = new NetlinkMessageWriter(NetlinkMessageType.GetAddress, NetlinkFlags.Dump)
            .Write(new InterfaceAddressMessage());
        return [.. Send(request, "list addresses").Where(m => m.Type == NetlinkMessageType.NewAddress).Select(ParseAddress)];
    }

    /// <summary>Adds an address; for IPv4 with the broadcast address of its network, as <c>ip addr add … brd +</c> does, unless
    /// <paramref name="broadcast"/> is false (an address put back as it was found).</summary>
    public void AddAddress(int linkIndex, IPAddress address, int prefixLength, bool broadcast = true) =>
        Send(AddressRequest(NetlinkMessageType.NewAddress, NetlinkFlags.Create | NetlinkFlags.Exclusive, linkIndex, address, prefixLength, broadcast),
            $"add address {address}/{prefixLength} to link {linkIndex}");

    public void DeleteAddress(int linkIndex, IPAddress address, int prefixLength) =>
        Send(AddressRequest(NetlinkMessageType.DeleteAddress, 0, linkIndex, address, prefixLength),
            $"delete address {address}/{prefixLength} from link {linkIndex}");

    private static NetlinkMessageWriter AddressRequest(ushort type, ushort flags, int linkIndex, IPAddress address, int prefixLength, bool broadcast = false)
    {
        var family = FamilyOf(address);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, address.GetAddressBytes().Length * 8);
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        var request = new NetlinkMessageWriter(type, flags).Write(new InterfaceAddressMessage
        {
            Family = family,
            PrefixLength = (byte)prefixLength,
            Index = linkIndex,
        });
        // IPv4 keeps the interface's own address in IFA_LOCAL; IFA_ADDRESS would be the peer on point-to-point links.
        request.Attribute(AddressAttribute.Address, address);
        if (family == LinuxAddressFamily.Inet)
        {
            request.Attribute(AddressAttribute.Local, address);
            if (broadcast && prefixLength < 31)
            {
                request.Attribute(AddressAttribute.Broadcast, BroadcastOf(address, prefixLength));
            }
        }
        return request;
    }

    private static IPAddress BroadcastOf(IPAddress address, int prefixLength)
    {
        var hostMask = prefixLength == 0 ? uint.MaxValue : (1u << (32 - prefixLength)) - 1;
        var value = BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes()) | hostMask;
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    private static byte FamilyOf(IPAddress address) => address.AddressFamily switch
    {
        System.Net.Sockets.AddressFamily.InterNetwork => LinuxAddressFamily.Inet,
        System.Net.Sockets.AddressFamily.InterNetworkV6 => LinuxAddressFamily.Inet6,
        _ => throw new ArgumentException($"{address} is neither IPv4 nor IPv6.", nameof(address)),
    };

    private static AddressInfo ParseAddress(NetlinkMessage message)
    {
        var header = message.ReadHeader<InterfaceAddressMessage>(out var attributes);
        var address = attributes.GetIpAddress(AddressAttribute.Local)
            ?? attributes.GetIpAddress(AddressAttribute.Address)
            ?? (header.Family == LinuxAddressFamily.Inet6 ? IPAddress.IPv6Any : IPAddress.Any);
        return new AddressInfo(header.Index, address, header.PrefixLength, (RouteScope)header.Scope, attributes.TryGet(AddressAttribute.Broadcast, out _));
    }
}
