namespace VirtualNetworking.Core.Dhcp6;

/// <summary>
/// How a message arrived. Without a Server Unicast option (which this server never sends) a client must multicast
/// Request, Renew, Release and Decline; one that arrived unicast is answered UseMulticast (RFC 8415 §18.3.1).
/// </summary>
public sealed record Dhcp6ReceiveInfo(string InterfaceName, bool ArrivedAsMulticast);

/// <summary>
/// What one message produced. The host writes <see cref="LeaseChanges"/> durably, then sends <see cref="Reply"/> to the
/// client's address and port 546 (RFC 8415 §18.3: a server records a binding before it Replies with it, as DHCPv4's
/// §4.3.2). <see cref="Summary"/> is for the log.
/// </summary>
public sealed record Dhcp6Result(Dhcp6Message? Reply, IReadOnlyList<Dhcp6LeaseChange> LeaseChanges, string Summary)
{
    internal static Dhcp6Result Silent(string summary) => new(null, [], summary);
}
