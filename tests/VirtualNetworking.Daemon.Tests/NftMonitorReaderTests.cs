using static VirtualNetworking.Daemon.Tests.NftMonitorCaptures;

namespace VirtualNetworking.Daemon.Tests;

/// <summary>Which nftables changes are a loss to restore, read from the monitor's real datagrams.</summary>
public sealed class NftMonitorReaderTests
{
    private readonly NftMonitorReader reader = new();

    /// <summary>Feeds the datagrams in order (as the socket gives them); the losses they reported, merged.</summary>
    private FirewallLoss? Feed(byte[][] datagrams)
    {
        FirewallLoss? loss = null;
        foreach (var datagram in datagrams)
            if (reader.Read(datagram) is { } more) loss = loss is null ? more : loss.With(more);
        return loss;
    }

    [Fact]
    public void Starts_are_no_loss_though_they_flush_the_forward_jumps()
    {
        Assert.Null(Feed(FirstStart));
        Assert.Null(Feed(SecondStart));
    }

    [Fact]
    public void A_rule_deleted_by_handle_is_a_loss_of_its_network_only()
    {
        Feed(FirstStart);
        Feed(SecondStart);

        var loss = Feed(StopByHandle);

        Assert.NotNull(loss);
        Assert.False(loss.Shared);
        Assert.Equal(["vnet:name-b"], loss.Tags);
        // With their handles, so that a deletion the network's journal no longer names (its own live change) is no loss.
        Assert.NotNull(loss.Rules);
        Assert.NotEmpty(loss.Rules);
        Assert.All(loss.Rules, r => Assert.True(r.Handle > 0 && r.Chain.Length > 0, r.ToString()));
    }

    [Fact]
    public void Another_tables_changes_are_no_loss()
    {
        Assert.Null(Feed(ForeignTable));
    }

    [Theory]
    [InlineData(nameof(FlushForwardChain))]
    [InlineData(nameof(DeleteIp6Table))]
    public void A_deleted_table_chain_or_forward_jump_is_a_loss_of_every_network(string change)
    {
        Feed(FirstStart);
        Feed(SecondStart);
        var datagrams = (byte[][])typeof(NftMonitorCaptures).GetField(change)!.GetValue(null)!;

        var loss = Feed(datagrams);

        Assert.NotNull(loss);
        Assert.True(loss.Shared);
    }

    [Fact]
    public void Flush_ruleset_is_a_loss_of_every_network_and_names_the_tagged_rules_it_deleted()
    {
        foreach (var change in new[] { FirstStart, SecondStart, StopByHandle, ForeignTable, FlushForwardChain, DeleteIp6Table }) Feed(change);

        var loss = Feed(FlushRuleset);

        Assert.NotNull(loss);
        Assert.True(loss.Shared);
        Assert.Equal(["vnet:name-a"], loss.Tags); // b's rule went with its stop above
    }

    [Fact]
    public void The_loss_is_reported_at_the_end_of_its_transaction_only()
    {
        Assert.Equal(2, StopByHandle.Length);

        Assert.Null(reader.Read(StopByHandle[0])); // the deletion
        Assert.NotNull(reader.Read(StopByHandle[1])); // NFT_MSG_NEWGEN
    }

    [Fact]
    public void A_datagram_that_cannot_be_read_is_a_loss_of_every_network()
    {
        var truncated = StopByHandle[0][..^8];

        var loss = reader.Read(truncated);

        Assert.NotNull(loss);
        Assert.True(loss.Shared);
    }
}
