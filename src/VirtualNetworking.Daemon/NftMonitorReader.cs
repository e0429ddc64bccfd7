using System.Text;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Linux.Netlink;

namespace VirtualNetworking.Daemon;

/// <summary>What nftables reported deleted from our tables.</summary>
/// <param name="Shared">A table, a chain or a rule of no network (a forward jump) of ours went: every network is checked.</param>
/// <param name="Tags">The network tags of the deleted rules: those networks are checked.</param>
/// <param name="Rules">The deleted rules of those networks by handle; null when a deletion came without its handle.</param>
internal sealed record FirewallLoss(bool Shared, IReadOnlySet<string> Tags, IReadOnlySet<RuleHandle>? Rules)
{
    public FirewallLoss With(FirewallLoss other) =>
        new(Shared || other.Shared, Tags.Union(other.Tags).ToHashSet(StringComparer.Ordinal),
            Rules is null || other.Rules is null ? null : Rules.Union(other.Rules).ToHashSet());
}

/// <summary>
/// Reads the nftables monitor's datagrams (NETLINK_NETFILTER, group NFNLGRP_NFTABLES). The kernel reports a committed
/// transaction as one message per table, chain or rule it changed, then NFT_MSG_NEWGEN. A transaction that deleted
/// something of ours and added no rule to our tables is a loss: a start, and a restore, add the rules whose deletion
/// they cause; a stop's deletions are a loss the restore finds nothing to do about without listing (its network is
/// gone from the live state by then).
/// </summary>
internal sealed class NftMonitorReader
{
    private const int SubsystemNftables = 10; // NFNL_SUBSYS_NFTABLES, the type's high byte
    private const int DelTable = 2, DelChain = 5, NewRule = 6, DelRule = 8, NewGen = 15;
    private const int DestroyTable = 26, DestroyChain = 27, DestroyRule = 28; // nft's `destroy` (kernel 6.3)
    private const byte FamilyIp = 2, FamilyIp6 = 10; // NFPROTO_IPV4, NFPROTO_IPV6
    private const int NfGenMessageSize = 4;
    /// <summary>NFTA_TABLE_NAME, NFTA_CHAIN_TABLE and NFTA_RULE_TABLE are all attribute 1.</summary>
    private const ushort TableAttribute = 1;
    private const ushort RuleChain = 2, RuleHandleAttribute = 3; // NFTA_RULE_CHAIN, NFTA_RULE_HANDLE (big-endian u64)
    private const ushort RuleUserData = 7; // NFTA_RULE_USERDATA
    private const byte UserDataComment = 0; // NFTNL_UDATA_RULE_COMMENT

    private bool _shared;
    private readonly HashSet<string> _tags = new(StringComparer.Ordinal);
    private readonly HashSet<RuleHandle> _rules = new();
    private bool _handlesUnknown;
    private bool _added;

    /// <summary>Reads one datagram; returns the loss of the transactions it ended, or null.</summary>
    public FirewallLoss? Read(ReadOnlyMemory<byte> datagram)
    {
        FirewallLoss? loss = null;
        try
        {
            foreach (var message in NetlinkMessage.Split(datagram))
            {
                if (message.Type >> 8 != SubsystemNftables) continue;
                var type = message.Type & 0xff;
                if (type == NewGen)
                {
                    if ((_shared || _tags.Count > 0) && !_added)
                        loss = Merge(loss, new FirewallLoss(_shared, _tags.ToHashSet(StringComparer.Ordinal), _handlesUnknown ? null : _rules.ToHashSet()));
                    Reset();
                    continue;
                }
                if (message.Payload.Length < NfGenMessageSize || message.Payload.Span[0] is not (FamilyIp or FamilyIp6)) continue;
                var attributes = NetlinkAttributes.Parse(message.Payload[NfGenMessageSize..]);
                if (attributes.GetString(TableAttribute) != FirewallLayout.TableName) continue;
                switch (type)
                {
                    case DelTable or DestroyTable or DelChain or DestroyChain:
                        _shared = true;
                        break;
                    case DelRule or DestroyRule:
                        if (Comment(attributes) is { } tag && FirewallTag.IsNetworkTag(tag))
                        {
                            _tags.Add(tag);
                            if (Handle(message.Payload.Span[0], attributes) is { } handle) _rules.Add(handle);
                            else _handlesUnknown = true;
                        }
                        else _shared = true;
                        break;
                    case NewRule:
                        _added = true;
                        break;
                }
            }
        }
        catch (InvalidDataException)
        {
            // What it said is unknown: check everything, as after lost messages.
            Reset();
            return Merge(loss, new FirewallLoss(Shared: true, new HashSet<string>(), Rules: null));
        }
        return loss;
    }

    private void Reset()
    {
        (_shared, _added, _handlesUnknown) = (false, false, false);
        _tags.Clear();
        _rules.Clear();
    }

    private static RuleHandle? Handle(byte family, NetlinkAttributes attributes) =>
        attributes.GetString(RuleChain) is { } chain && attributes.TryGet(RuleHandleAttribute, out var value) && value.Length == 8
            ? new RuleHandle(family == FamilyIp ? NftFamily.Ip : NftFamily.Ip6, chain, (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(value.Span))
            : null;

    private static FirewallLoss Merge(FirewallLoss? loss, FirewallLoss more) => loss is null ? more : loss.With(more);

    /// <summary>The rule's comment: libnftnl's user data is type-length-value entries of one byte each for type and length.</summary>
    private static string? Comment(NetlinkAttributes attributes)
    {
        if (!attributes.TryGet(RuleUserData, out var userData)) return null;
        var data = userData.Span;
        for (var offset = 0; offset + 2 <= data.Length; offset += 2 + data[offset + 1])
        {
            var length = data[offset + 1];
            if (offset + 2 + length > data.Length) return null;
            if (data[offset] != UserDataComment) continue;
            var value = data.Slice(offset + 2, length);
            var end = value.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? value : value[..end]);
        }
        return null;
    }
}
