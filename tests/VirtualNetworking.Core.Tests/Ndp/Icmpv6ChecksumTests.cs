using System.Net;
using VirtualNetworking.Core.Ndp;
using static VirtualNetworking.Core.Tests.Ndp.NdpTestKit;

namespace VirtualNetworking.Core.Tests.Ndp;

/// <summary>
/// The ICMPv6 checksum over the pseudo-header. Known values were computed independently with Python (struct sums of
/// the pseudo-header and message as RFC 8200 §8.1 lays them out); random messages are checked against a byte-wise
/// reference written here differently (one's-complement addition with the carry folded at every step).
/// </summary>
public class Icmpv6ChecksumTests
{
    [Fact]
    public void A_router_solicitation_to_all_routers_has_the_known_checksum()
    {
        Assert.Equal(0x71b5, Icmpv6Checksum.Compute(GuestLinkLocal, AllRouters, Solicitation));
    }

    [Fact]
    public void A_router_advertisement_to_all_nodes_has_the_known_checksum()
    {
        var ra = Hex("86 00 0000 40 00 0708 00000000 00000000");
        Assert.Equal(0xe5d2, Icmpv6Checksum.Compute(IPAddress.Parse("fe80::5054:ff:fe00:1"), RouterAdvertiser.AllNodes, ra));
    }

    [Fact]
    public void An_odd_length_message_is_padded_with_a_zero_octet()
    {
        Assert.Equal(0x21b5, Icmpv6Checksum.Compute(IPAddress.Parse("fe80::1"), IPAddress.Parse("fe80::2"), Hex("80 00 0000 0001 0001 61")));
    }

    [Fact]
    public void The_checksum_field_is_read_as_zero_so_a_filled_message_verifies()
    {
        var message = Solicitation;
        message[2] = 0xde;
        message[3] = 0xad;
        Assert.Equal(0x71b5, Icmpv6Checksum.Compute(GuestLinkLocal, AllRouters, message));
        Assert.False(Icmpv6Checksum.IsValid(GuestLinkLocal, AllRouters, message));

        Icmpv6Checksum.Fill(GuestLinkLocal, AllRouters, message);

        Assert.Equal(Hex("71b5"), message[2..4]);
        Assert.True(Icmpv6Checksum.IsValid(GuestLinkLocal, AllRouters, message));
        Assert.False(Icmpv6Checksum.IsValid(GuestLinkLocal, RouterAdvertiser.AllNodes, message));
    }

    [Fact]
    public void Random_messages_agree_with_a_reference_implementation()
    {
        var random = new Random(4861);
        for (var i = 0; i < 2000; i++)
        {
            var source = RandomAddress(random);
            var destination = RandomAddress(random);
            var message = new byte[random.Next(4, 1500)];
            random.NextBytes(message);
            Assert.Equal(Reference(source, destination, message), Icmpv6Checksum.Compute(source, destination, message));
        }
    }

    [Fact]
    public void Ipv4_addresses_are_refused() =>
        Assert.Throws<ArgumentException>(() => Icmpv6Checksum.Compute(IPAddress.Loopback, AllRouters, Solicitation));

    private static IPAddress RandomAddress(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new IPAddress(bytes);
    }

    private static ushort Reference(IPAddress source, IPAddress destination, byte[] message)
    {
        var length = message.Length;
        byte[] pseudo = [.. source.GetAddressBytes(), .. destination.GetAddressBytes(),
            (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length, 0, 0, 0, 58];
        var zeroed = (byte[])message.Clone();
        zeroed[2] = zeroed[3] = 0;
        byte[] all = [.. pseudo, .. zeroed, .. (length % 2 == 1 ? new byte[1] : [])];
        var sum = 0;
        for (var i = 0; i < all.Length; i += 2)
        {
            sum += (all[i] << 8) | all[i + 1];
            if (sum > 0xFFFF) sum -= 0xFFFF;
        }
        return (ushort)(0xFFFF - sum);
    }
}
