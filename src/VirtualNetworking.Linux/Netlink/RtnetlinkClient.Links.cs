using System.Net.NetworkInformation;

namespace VirtualNetworking.Linux.Netlink;

public sealed partial class RtnetlinkClient
{
    private const string BridgeKind = "bridge";

    public IReadOnlyList<LinkInfo> GetLinks()
    {
        var request = new NetlinkMessageWriter(NetlinkMessageType.GetLink, NetlinkFlags.Dump)
            .Write(new InterfaceInfoMessage());
        return [.. Send(request, "list links").Where(m => m.Type == NetlinkMessageType.NewLink).Select(ParseLink)];
    }

    /// <summary>The link named <paramref name="name"/>, or null when there is none.</summary>
    public LinkInfo? GetLink(string name)
    {
        var request = new NetlinkMessageWriter(NetlinkMessageType.GetLink, 0)
            .Write(new InterfaceInfoMessage())
            .Attribute(LinkAttribute.InterfaceName, name);
        try
        {
            return Send(request, $"get link '{name}'").Where(m => m.Type == NetlinkMessageType.NewLink).Select(ParseLink).FirstOrDefault();
        }
        catch (NetlinkException e) when (e.Errno == Errno.ENODEV)
        {
            return null;
        }
    }

    /// <summary>The link with ifindex <paramref name="index"/>, or null when there is none.</summary>
    public LinkInfo? GetLink(int index)
    {
        var request = new NetlinkMessageWriter(NetlinkMessageType.GetLink, 0).Write(new InterfaceInfoMessage { Index = index });
        try
        {
            return Send(request, $"get link #{index}").Where(m => m.Type == NetlinkMessageType.NewLink).Select(ParseLink).FirstOrDefault();
        }
        catch (NetlinkException e) when (e.Errno == Errno.ENODEV)
        {
            return null;
        }
    }

    /// <summary>
    /// Creates a bridge in one RTM_NEWLINK. The kernel applies IFLA_BR_FORWARD_DELAY before IFLA_BR_STP_STATE,
    /// so a delay under 2 s (refused while STP is on) is accepted together with STP on; recent kernels (seen on 6.18)
    /// then raise it to 2 s as STP starts, so read the delay back rather than assume it.
    /// </summary>
    public void CreateBridge(string name, string? macAddress = null, int? mtu = null, bool stpEnabled = false, TimeSpan? forwardDelay = null)
    {
        var request = NewLinkRequest(NetlinkFlags.Create | NetlinkFlags.Exclusive, index: 0)
            .Attribute(LinkAttribute.InterfaceName, name);
        if (macAddress is not null)
        {
            request.Attribute(LinkAttribute.Address, ParseMac(macAddress));
        }
        if (mtu is { } value)
        {
            request.Attribute(LinkAttribute.Mtu, (uint)value);
        }
        WriteBridgeData(request, stpEnabled, forwardDelay);
        Send(request, $"create bridge '{name}'");
    }

    /// <summary>
    /// Changes STP and the forward delay of an existing bridge. Turning STP off and setting a short delay needs
    /// two requests: the kernel applies the delay first and refuses under 2 s while STP is still on.
    /// </summary>
    public void SetBridgeOptions(int index, bool? stpEnabled = null, TimeSpan? forwardDelay = null)
    {
        var operation = $"set bridge options of link {index}";
        if (stpEnabled == false && forwardDelay is not null)
        {
            Send(WriteBridgeData(NewLinkRequest(0, index), false, null), operation);
            Send(WriteBridgeData(NewLinkRequest(0, index), null, forwardDelay), operation);
            return;
        }
        Send(WriteBridgeData(NewLinkRequest(0, index), stpEnabled, forwardDelay), operation);
    }

    /// <summary>
    /// Creates a veth pair in one request; the peer may be created straight in another namespace. Each end can get its
    /// MAC and be brought up at once, and this end an MTU and a master: the kernel configures both before it answers.
    /// </summary>
    public void CreateVeth(string name, string peerName, string? peerMacAddress = null, NetworkNamespaceTarget? peerNamespace = null,
        LinkSettings? end = null)
    {
        var request = new NetlinkMessageWriter(NetlinkMessageType.NewLink, NetlinkFlags.Create | NetlinkFlags.Exclusive)
            .Write(UpFlags(end?.Up ?? false))
            .Attribute(LinkAttribute.InterfaceName, name);
        WriteEnd(request, end);
        var linkInfo = request.BeginNested(LinkAttribute.LinkInfo);
        request.Attribute(LinkInfoAttribute.Kind, "veth");
        var data = request.BeginNested(LinkInfoAttribute.Data);
        // VETH_INFO_PEER holds a whole ifinfomsg followed by the peer's own link attributes.
        var peer = request.BeginNested(VethAttribute.Peer);
        request.Write(new InterfaceInfoMessage()).Attribute(LinkAttribute.InterfaceName, peerName);
        if (peerMacAddress is not null)
        {
            request.Attribute(LinkAttribute.Address, ParseMac(peerMacAddress));
        }
        if (end?.Mtu is { } peerMtu)
        {
            request.Attribute(LinkAttribute.Mtu, (uint)peerMtu);
        }
        peerNamespace?.WriteTo(request);
        request.EndNested(peer).EndNested(data).EndNested(linkInfo);
        Send(request, $"create veth '{name}' with peer '{peerName}'");
        if (end?.PeerUp != true) return;
        // The kernel refuses (ENOTCONN) to open a peer before the pair is linked up, so the peer comes up in a second
        // request, from a socket inside the peer's namespace.
        try
        {
            using var inside = peerNamespace is null ? null : InNamespace(peerNamespace);
            var client = inside ?? this;
            var peerLink = client.GetLink(peerName) ?? throw new NetlinkException($"find veth peer '{peerName}'", (int)Errno.ENODEV);
            client.SetLinkUp(peerLink.Index);
        }
        catch
        {
            DeleteLink(name);
            throw;
        }
    }

    /// <summary>Sets MAC, MTU and master of an existing link and brings it up, in one request (a guest's port).</summary>
    public void ConfigurePort(int index, LinkSettings settings)
    {
        var request = new NetlinkMessageWriter(NetlinkMessageType.NewLink, 0).Write(UpFlags(settings.Up) with { Index = index });
        WriteEnd(request, settings);
        Send(request, $"configure port link {index}");
    }

    private static InterfaceInfoMessage UpFlags(bool up) =>
        up ? new InterfaceInfoMessage { Flags = InterfaceFlags.Up, Change = InterfaceFlags.Up } : new InterfaceInfoMessage();

    private static void WriteEnd(NetlinkMessageWriter request, LinkSettings? end)
    {
        if (end?.MacAddress is { } mac)
        {
            request.Attribute(LinkAttribute.Address, ParseMac(mac));
        }
        if (end?.Mtu is { } mtu)
        {
            request.Attribute(LinkAttribute.Mtu, (uint)mtu);
        }
        if (end?.MasterIndex is { } master)
        {
            request.Attribute(LinkAttribute.Master, (uint)master);
        }
    }

    public void DeleteLink(int index) =>
        Send(new NetlinkMessageWriter(NetlinkMessageType.DeleteLink, 0).Write(new InterfaceInfoMessage { Index = index }),
            $"delete link {index}");

    /// <summary>
    /// Deletes the link and returns as soon as the kernel has unlisted it: its RTM_DELLINK notification comes
    /// after its addresses, routes and ports are gone and its name is free. The acknowledgement comes only after
    /// the kernel has also waited out RCU to free it (rcu_barrier: 15-30 ms, most of a deletion), and the kernel
    /// does that inside the requesting thread's send(); so a thread of its own sends the request, on a socket of
    /// its own, and finishes it in the background. A refusal still throws here, with its errno.
    /// </summary>
    public void DeleteLinkUntilUnlisted(int index)
    {
        var operation = $"delete link {index}";
        using var monitor = new NetlinkSocket(RtnetlinkGroups.Link); // before the request, so the notification cannot be missed
        var request = new NetlinkMessageWriter(NetlinkMessageType.DeleteLink, 0).Write(new InterfaceInfoMessage { Index = index });
        var deletion = Task.Factory.StartNew(() =>
        {
            using var socket = new NetlinkSocket();
            socket.Request(request, operation);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            while (!deletion.IsCompleted)
            {
                foreach (var message in monitor.ReceiveNotifications(TimeSpan.FromMilliseconds(5), operation))
                {
                    if (message.Type == NetlinkMessageType.DeleteLink && message.ReadHeader<InterfaceInfoMessage>(out _).Index == index) return;
                }
            }
        }
        catch (NetlinkException)
        {
            // The notification is only a shortcut (a flood of link changes can overflow the monitor): wait for the answer.
        }
        deletion.GetAwaiter().GetResult();
    }

    public void DeleteLink(string name) =>
        Send(new NetlinkMessageWriter(NetlinkMessageType.DeleteLink, 0).Write(new InterfaceInfoMessage())
                .Attribute(LinkAttribute.InterfaceName, name),
            $"delete link '{name}'");

    public void SetLinkUp(int index) => SetUpFlag(index, up: true);

    public void SetLinkDown(int index) => SetUpFlag(index, up: false);

    /// <summary>Enslaves the link to a bridge; master index 0 releases it.</summary>
    public void SetMaster(int index, int masterIndex) =>
        Send(NewLinkRequest(0, index).Attribute(LinkAttribute.Master, (uint)masterIndex),
            $"set master of link {index} to {masterIndex}");

    public void SetMtu(int index, int mtu) =>
        Send(NewLinkRequest(0, index).Attribute(LinkAttribute.Mtu, (uint)mtu), $"set MTU of link {index} to {mtu}");

    public void SetMacAddress(int index, string macAddress) =>
        Send(NewLinkRequest(0, index).Attribute(LinkAttribute.Address, ParseMac(macAddress)),
            $"set MAC address of link {index} to {macAddress}");

    /// <summary>Renames a link. Older kernels refuse (EBUSY) while it is up; 6.18 allows it.</summary>
    public void RenameLink(int index, string newName) =>
        Send(NewLinkRequest(0, index).Attribute(LinkAttribute.InterfaceName, newName), $"rename link {index} to '{newName}'");

    public void MoveLinkToNamespace(int index, NetworkNamespaceTarget target)
    {
        var request = NewLinkRequest(0, index);
        target.WriteTo(request);
        Send(request, $"move link {index} to another network namespace");
    }

    private void SetUpFlag(int index, bool up)
    {
        var request = new NetlinkMessageWriter(NetlinkMessageType.NewLink, 0).Write(new InterfaceInfoMessage
        {
            Index = index,
            Flags = up ? InterfaceFlags.Up : 0,
            Change = InterfaceFlags.Up,
        });
        Send(request, $"set link {index} {(up ? "up" : "down")}");
    }

    private static NetlinkMessageWriter NewLinkRequest(ushort flags, int index) =>
        new NetlinkMessageWriter(NetlinkMessageType.NewLink, flags).Write(new InterfaceInfoMessage { Index = index });

    /// <summary>IFLA_LINKINFO { kind "bridge", IFLA_INFO_DATA { forward delay, then STP state } }.</summary>
    private static NetlinkMessageWriter WriteBridgeData(NetlinkMessageWriter request, bool? stpEnabled, TimeSpan? forwardDelay)
    {
        var linkInfo = request.BeginNested(LinkAttribute.LinkInfo);
        request.Attribute(LinkInfoAttribute.Kind, BridgeKind);
        var data = request.BeginNested(LinkInfoAttribute.Data);
        if (forwardDelay is { } delay)
        {
            // The kernel counts bridge times in USER_HZ ticks: centiseconds.
            request.Attribute(BridgeAttribute.ForwardDelay, checked((uint)Math.Round(delay.TotalMilliseconds / 10)));
        }
        if (stpEnabled is { } stp)
        {
            request.Attribute(BridgeAttribute.StpState, stp ? 1u : 0u);
        }
        return request.EndNested(data).EndNested(linkInfo);
    }

    private static byte[] ParseMac(string macAddress)
    {
        var bytes = PhysicalAddress.Parse(macAddress).GetAddressBytes();
        return bytes.Length == 6 ? bytes : throw new ArgumentException($"'{macAddress}' is not a 6-byte MAC address.", nameof(macAddress));
    }

    private static LinkInfo ParseLink(NetlinkMessage message)
    {
        var header = message.ReadHeader<InterfaceInfoMessage>(out var attributes);
        var linkInfo = attributes.GetNested(LinkAttribute.LinkInfo);
        var kind = linkInfo?.GetString(LinkInfoAttribute.Kind);
        var bridge = kind == BridgeKind ? ParseBridge(linkInfo!.GetNested(LinkInfoAttribute.Data)) : null;
        // A bridge port's state comes as slave data of kind "bridge", whatever the port's own kind.
        var portState = linkInfo?.GetString(LinkInfoAttribute.SlaveKind) == BridgeKind
            ? (BridgePortState?)linkInfo.GetNested(LinkInfoAttribute.SlaveData)?.GetByte(BridgePortAttribute.State)
            : null;
        var master = attributes.GetUInt32(LinkAttribute.Master);
        return new LinkInfo(
            header.Index,
            attributes.GetString(LinkAttribute.InterfaceName) ?? "",
            kind,
            FormatMac(attributes.GetBytes(LinkAttribute.Address)),
            (int)(attributes.GetUInt32(LinkAttribute.Mtu) ?? 0),
            (header.Flags & InterfaceFlags.Up) != 0,
            (LinkOperState)(attributes.GetByte(LinkAttribute.OperState) ?? 0),
            master is null or 0 ? null : (int)master,
            bridge,
            portState);
    }

    private static BridgeInfo? ParseBridge(NetlinkAttributes? data)
    {
        if (data is null)
        {
            return null;
        }
        // struct ifla_bridge_id { u8 prio[2]; u8 addr[6]; }: priority big-endian, as brctl prints it.
        var id = data.GetBytes(BridgeAttribute.BridgeId);
        var bridgeId = id is { Length: 8 }
            ? $"{Convert.ToHexStringLower(id, 0, 2)}.{Convert.ToHexStringLower(id, 2, 6)}"
            : "";
        return new BridgeInfo(
            data.GetUInt32(BridgeAttribute.StpState) is > 0,
            TimeSpan.FromMilliseconds((data.GetUInt32(BridgeAttribute.ForwardDelay) ?? 0) * 10.0),
            data.GetUInt16(BridgeAttribute.Priority) ?? 0,
            bridgeId);
    }

    private static string? FormatMac(byte[]? address) =>
        address is { Length: > 0 } ? string.Join(':', address.Select(b => b.ToString("x2"))) : null;
}
