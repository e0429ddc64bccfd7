using VirtualNetworking.Core.Dns;

namespace VirtualNetworking.Core.Ndp;

/// <summary>A DNSSL option (RFC 8106 §5.2): search domains for the hosts on the link, valid for <see cref="Lifetime"/> seconds.</summary>
public sealed record DnsSearchListOption(uint Lifetime, IReadOnlyList<DnsName> Domains);
