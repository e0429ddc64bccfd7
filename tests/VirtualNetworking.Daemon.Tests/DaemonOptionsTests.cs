namespace VirtualNetworking.Daemon.Tests;

public sealed class DaemonOptionsTests
{
    [Fact]
    public void The_dns_local_ttl_is_0_unless_given_and_a_bad_one_is_refused_naming_the_option()
    {
        Assert.Equal(0u, DaemonOptions.Parse([]).DnsLocalTtl);
        Assert.Equal(300u, DaemonOptions.Parse(["--dns-local-ttl", "300"]).DnsLocalTtl);
        var e = Assert.Throws<ArgumentException>(() => DaemonOptions.Parse(["--dns-local-ttl", "-5"]));
        Assert.Contains("--dns-local-ttl", e.Message);
    }
}
