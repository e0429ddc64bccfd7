using VirtualNetworking.Core.Dns;

namespace VirtualNetworking.Core.Tests.Dns;

public class DnsServerOptionsTests
{
    [Theory]
    [InlineData(null, 0u)]
    [InlineData("", 0u)]
    [InlineData("0", 0u)]
    [InlineData("60", 60u)]
    [InlineData("2147483647", 2147483647u)]
    public void A_local_ttl_is_whole_seconds_up_to_2_to_the_31_minus_1(string? text, uint expected)
    {
        Assert.True(DnsServerOptions.TryParseLocalTtl(text, out var seconds));
        Assert.Equal(expected, seconds);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("2147483648")]
    [InlineData(" 5")]
    [InlineData("5s")]
    [InlineData("1.5")]
    public void Anything_else_is_refused(string text) => Assert.False(DnsServerOptions.TryParseLocalTtl(text, out _));
}
