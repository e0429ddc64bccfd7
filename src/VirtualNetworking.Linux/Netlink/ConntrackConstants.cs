namespace VirtualNetworking.Linux.Netlink;

// Values from linux/netlink.h, linux/netfilter/nfnetlink.h and linux/netfilter/nfnetlink_conntrack.h.

/// <summary>nfnetlink message types: the subsystem (NFNL_SUBSYS_CTNETLINK = 1) in the high byte, IPCTNL_MSG_CT_* in the low.</summary>
internal static class ConntrackMessageType
{
    private const int Subsystem = 1 << 8;

    public const ushort New = Subsystem | 0;
    public const ushort Get = Subsystem | 1;
    public const ushort Delete = Subsystem | 2;
}

/// <summary>enum ctattr_type (the attributes of one entry).</summary>
internal static class ConntrackAttribute
{
    public const ushort TupleOriginal = 1;
    public const ushort TupleReply = 2;
    public const ushort Zone = 18;
}

/// <summary>enum ctattr_tuple.</summary>
internal static class ConntrackTupleAttribute
{
    public const ushort Ip = 1;
    public const ushort Protocol = 2;
}

/// <summary>enum ctattr_ip.</summary>
internal static class ConntrackIpAttribute
{
    public const ushort V4Source = 1;
    public const ushort V4Destination = 2;
    public const ushort V6Source = 3;
    public const ushort V6Destination = 4;
}

/// <summary>enum ctattr_l4proto.</summary>
internal static class ConntrackProtocolAttribute
{
    public const ushort Number = 1;
    public const ushort SourcePort = 2;
    public const ushort DestinationPort = 3;
}

internal static class NetlinkAttributeFlags
{
    /// <summary>NLA_F_NESTED: the attribute's value is attributes.</summary>
    public const ushort Nested = 0x8000;
}
