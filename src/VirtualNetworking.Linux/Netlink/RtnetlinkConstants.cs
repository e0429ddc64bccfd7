namespace VirtualNetworking.Linux.Netlink;

// Values from linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h and linux/veth.h.

internal static class NetlinkMessageType
{
    public const ushort Noop = 1;
    public const ushort Error = 2;
    public const ushort Done = 3;

    public const ushort NewLink = 16;
    public const ushort DeleteLink = 17;
    public const ushort GetLink = 18;
    public const ushort NewAddress = 20;
    public const ushort DeleteAddress = 21;
    public const ushort GetAddress = 22;
    public const ushort NewRoute = 24;
    public const ushort DeleteRoute = 25;
    public const ushort GetRoute = 26;
}

/// <summary>Multicast groups as bind() bits (RTMGRP_*).</summary>
internal static class RtnetlinkGroups
{
    public const uint Link = 0x1;
    public const uint Ipv6Address = 0x100;
}

internal static class NetlinkFlags
{
    public const ushort Request = 0x1;
    public const ushort Ack = 0x4;
    public const ushort DumpInterrupted = 0x10;
    public const ushort Dump = 0x300;
    public const ushort Exclusive = 0x200;
    public const ushort Create = 0x400;

    // On NLMSG_ERROR: the echoed request was cut to its header; extended-ack attributes follow.
    public const ushort Capped = 0x100;
    public const ushort AckTlvs = 0x200;
}

internal static class LinuxAddressFamily
{
    public const byte Inet = 2;
    public const byte Inet6 = 10;
}

internal static class InterfaceFlags
{
    public const uint Up = 0x1;
}

internal static class ExtendedAckAttribute
{
    public const ushort Message = 1;
}

internal static class LinkAttribute
{
    public const ushort Address = 1;
    public const ushort InterfaceName = 3;
    public const ushort Mtu = 4;
    public const ushort Master = 10;
    public const ushort OperState = 16;
    public const ushort LinkInfo = 18;
    public const ushort NetNsPid = 19;
    public const ushort NetNsFd = 28;
}

internal static class LinkInfoAttribute
{
    public const ushort Kind = 1;
    public const ushort Data = 2;
    public const ushort SlaveKind = 4;
    public const ushort SlaveData = 5;
}

internal static class BridgeAttribute
{
    public const ushort ForwardDelay = 1;
    public const ushort StpState = 5;
    public const ushort Priority = 6;
    public const ushort BridgeId = 11;
}

internal static class BridgePortAttribute
{
    public const ushort State = 1;
}

internal static class VethAttribute
{
    public const ushort Peer = 1;
}

internal static class AddressAttribute
{
    public const ushort Address = 1;
    public const ushort Local = 2;
    public const ushort Broadcast = 4;
    /// <summary>IFA_FLAGS: all of the address's flags (the header's byte holds only the low eight).</summary>
    public const ushort Flags = 8;
}

/// <summary>IFA_F_* address flags.</summary>
internal static class AddressFlags
{
    public const uint DadFailed = 0x08;
    public const uint Tentative = 0x40;
}

internal static class RouteAttribute
{
    public const ushort Destination = 1;
    public const ushort OutputInterface = 4;
    public const ushort Gateway = 5;
    public const ushort Priority = 6;
    public const ushort PreferredSource = 7;
    public const ushort Table = 15;
}
