using VirtualNetworking.Linux.Netlink;

namespace VirtualNetworking.Linux.Tests.Netlink;

/// <summary>The wire format itself: lengths, alignment and nesting, read back through the reader.</summary>
public sealed class NetlinkMessageTests : NetworkTest
{
    [SkippableFact]
    public void Writer_PadsAttributesAndNestsThem_AndReaderParsesThemBack()
    {
        var writer = new NetlinkMessageWriter(NetlinkMessageType.NewLink, NetlinkFlags.Create)
            .Write(new InterfaceInfoMessage { Index = 7 })
            .Attribute(LinkAttribute.InterfaceName, "abc");
        var nested = writer.BeginNested(LinkAttribute.LinkInfo);
        writer.Attribute(LinkInfoAttribute.Kind, "bridge").Attribute(LinkInfoAttribute.SlaveKind, (byte)3);
        writer.EndNested(nested).Attribute(LinkAttribute.Mtu, 1500u);

        var bytes = writer.ToMessage(sequence: 42).ToArray();

        // 16 nlmsghdr + 16 ifinfomsg + 8 "abc\0" + (4 + 12 "bridge\0" pad + 8 u8 pad) + 8 u32.
        Assert.Equal(16 + 16 + 8 + 24 + 8, bytes.Length);
        Assert.Equal(0, bytes.Length % 4);
        var message = Assert.Single(NetlinkMessage.Split(bytes));
        Assert.Equal(42u, message.Sequence);
        Assert.Equal(NetlinkFlags.Request | NetlinkFlags.Ack | NetlinkFlags.Create, message.Flags);
        var header = message.ReadHeader<InterfaceInfoMessage>(out var attributes);
        Assert.Equal(7, header.Index);
        Assert.Equal("abc", attributes.GetString(LinkAttribute.InterfaceName));
        Assert.Equal(1500u, attributes.GetUInt32(LinkAttribute.Mtu));
        var info = attributes.GetNested(LinkAttribute.LinkInfo)!;
        Assert.Equal("bridge", info.GetString(LinkInfoAttribute.Kind));
        Assert.Equal((byte)3, info.GetByte(LinkInfoAttribute.SlaveKind));
    }

    [SkippableFact]
    public void DumpRequest_HasNoAckFlag()
    {
        var bytes = new NetlinkMessageWriter(NetlinkMessageType.GetLink, NetlinkFlags.Dump).Write(new InterfaceInfoMessage()).ToMessage(1).ToArray();
        Assert.Equal(NetlinkFlags.Request | NetlinkFlags.Dump, Assert.Single(NetlinkMessage.Split(bytes)).Flags);
    }
}
