using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dhcp6;
using VirtualNetworking.Core.Dns;

namespace VirtualNetworking.Core.Tests.Dhcp6;

/// <summary>A libvirt-like IPv6 scope and a little client that builds its messages.</summary>
internal static class Dhcp6TestKit
{
    public static readonly Guid NetworkUuid = Guid.Parse("c4d2a51e-3c0a-4b1b-9d37-6a3e5f0c1b2d");
    public static readonly Duid ServerDuid = Duid.FromUuid(NetworkUuid);
    public static readonly IPAddress ServerIp = IPAddress.Parse("fd00:5::1");
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly Dhcp6ReceiveInfo Multicast = new("virbr1", ArrivedAsMulticast: true);
    public static readonly Dhcp6ReceiveInfo Unicast = new("virbr1", ArrivedAsMulticast: false);

    public static Dhcp6Scope Scope(string first = "fd00:5::100", string last = "fd00:5::1ff") => new()
    {
        ServerId = ServerDuid,
        ServerAddress = ServerIp,
        Subnet = IpNetwork.Parse("fd00:5::/64"),
        Ranges = [new Dhcp6Range(IPAddress.Parse(first), IPAddress.Parse(last))],
        DnsServers = [ServerIp],
        DomainList = [DnsName.Parse("vm.test")],
    };

    /// <summary>A DUID-LLT as dhclient makes one: hardware type 1, a time, and a MAC ending in <paramref name="n"/>.</summary>
    public static Duid Client(int n) => Duid.Parse($"00:01:00:01:2a:3b:4c:5d:52:54:00:00:{n >> 8:x2}:{n & 0xff:x2}");

    public static IPAddress Ip(string text) => IPAddress.Parse(text);

    public static Dhcp6Message Message(Dhcp6MessageType type, Duid? client, IEnumerable<Dhcp6Option> options, Duid? server = null)
    {
        var all = new List<Dhcp6Option>();
        if (client is not null) all.Add(Dhcp6Option.ClientId(client));
        if (server is not null) all.Add(Dhcp6Option.ServerId(server));
        all.Add(Dhcp6Option.OptionRequest(Dhcp6OptionCode.DnsServers, Dhcp6OptionCode.DomainList));
        all.Add(Dhcp6Option.ElapsedTime(0));
        all.AddRange(options);
        return new Dhcp6Message(type, 0xabcdef, all);
    }

    public static Dhcp6Option Ia(uint iaid, params string[] addresses) =>
        Dhcp6Option.IaNa(new Dhcp6IaNa(iaid, 0, 0, [.. addresses.Select(a => new Dhcp6IaAddress(Ip(a), 0, 0))]));

    public static Dhcp6Message Solicit(Duid client, uint iaid = 1, params Dhcp6Option[] extra) =>
        Message(Dhcp6MessageType.Solicit, client, [Ia(iaid), .. extra]);

    public static Dhcp6Message WithServer(Dhcp6MessageType type, Duid client, uint iaid, string? address, Duid? server = null) =>
        Message(type, client, [address is null ? Ia(iaid) : Ia(iaid, address)], server ?? ServerDuid);

    /// <summary>Serializes and re-parses, so tests see what a client would see on the wire.</summary>
    public static Dhcp6Message OnWire(Dhcp6Result result)
    {
        Assert.NotNull(result.Reply);
        Assert.True(Dhcp6Message.TryParse(result.Reply.ToArray(), out var message, out var problem), problem);
        return message;
    }

    /// <summary>Solicit, Advertise, Request, Reply; returns the bound address.</summary>
    public static IPAddress Exchange(Dhcp6Server server, Duid client, DateTimeOffset now, uint iaid = 1)
    {
        var advertise = OnWire(server.Handle(Solicit(client, iaid), Multicast, now));
        var offered = advertise.IaNas.Single().Addresses.Single().Address;
        var reply = OnWire(server.Handle(WithServer(Dhcp6MessageType.Request, client, iaid, offered.ToString()), Multicast, now));
        Assert.Equal(Dhcp6MessageType.Reply, reply.MessageType);
        return reply.IaNas.Single().Addresses.Single(a => a.ValidLifetime > 0).Address;
    }
}
