using System.Net;
using VirtualNetworking.Core.Ndp;
using static VirtualNetworking.Core.Tests.Ndp.NdpTestKit;

namespace VirtualNetworking.Core.Tests.Ndp;

/// <summary>Router solicitations are read, and every invalid one of RFC 4861 §6.1.1 is refused with a reason.</summary>
public class RouterSolicitationTests
{
    private static RouterSolicitation Parse(byte[] message, IPAddress? source = null, int hopLimit = 255)
    {
        Assert.True(RouterSolicitation.TryParse(message, source ?? GuestLinkLocal, hopLimit, out var solicitation, out var problem), problem);
        return solicitation;
    }

    private static string Refuse(byte[] message, IPAddress? source = null, int hopLimit = 255)
    {
        Assert.False(RouterSolicitation.TryParse(message, source ?? GuestLinkLocal, hopLimit, out var solicitation, out var problem));
        Assert.Null(solicitation);
        return problem;
    }

    [Fact]
    public void A_solicitation_with_its_link_layer_address_is_read()
    {
        var solicitation = Parse(Solicitation);
        Assert.Equal(GuestLinkLocal, solicitation.Source);
        Assert.Equal(Hex("525400123456"), solicitation.SourceLinkLayerAddress);
    }

    [Fact]
    public void A_solicitation_without_options_from_the_unspecified_address_is_valid()
    {
        var solicitation = Parse(Hex("85 00 0000 00000000"), IPAddress.IPv6Any);
        Assert.Null(solicitation.SourceLinkLayerAddress);
    }

    [Fact]
    public void Unknown_options_are_skipped_by_their_length_and_the_reserved_word_and_checksum_are_ignored()
    {
        var solicitation = Parse(Hex("""
            85 00 abcd ffffffff  checksum and reserved: not ours to judge
            0e 02 0000000000000000000000000000  an unknown option of 2 × 8 octets
            01 01 525400abcdef
            """));
        Assert.Equal(Hex("525400abcdef"), solicitation.SourceLinkLayerAddress);
    }

    [Theory]
    [InlineData(254)]
    [InlineData(64)]
    [InlineData(0)]
    public void A_hop_limit_other_than_255_is_refused(int hopLimit) =>
        Assert.Contains("hop limit", Refuse(Solicitation, hopLimit: hopLimit));

    [Fact]
    public void A_code_other_than_zero_is_refused() =>
        Assert.Contains("code 1", Refuse(Hex("85 01 0000 00000000")));

    [Fact]
    public void Another_icmpv6_type_is_refused() =>
        Assert.Contains("type 134", Refuse(Hex("86 00 0000 00000000")));

    [Theory]
    [InlineData("")]
    [InlineData("85")]
    [InlineData("85 00 0000 000000")]
    public void Fewer_than_8_octets_are_refused(string hex) =>
        Assert.Contains("shorter", Refuse(Hex(hex)));

    [Fact]
    public void An_option_of_length_zero_is_refused() =>
        Assert.Contains("length 0", Refuse(Hex("85 00 0000 00000000 0e 00 000000000000")));

    [Fact]
    public void An_option_running_past_the_end_is_refused() =>
        Assert.Contains("past the end", Refuse(Hex("85 00 0000 00000000 01 02 525400123456")));

    [Fact]
    public void A_lone_option_type_octet_is_refused() =>
        Assert.Contains("cut off", Refuse(Hex("85 00 0000 00000000 01")));

    [Fact]
    public void A_link_layer_address_from_the_unspecified_address_is_refused() =>
        Assert.Contains("unspecified", Refuse(Solicitation, IPAddress.IPv6Any));

    [Fact]
    public void A_source_that_is_not_ipv6_is_refused() =>
        Assert.Contains("not IPv6", Refuse(Solicitation, IPAddress.Parse("192.0.2.1")));
}
