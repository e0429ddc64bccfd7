using System.Net;

namespace VirtualNetworking.Core.Ndp;

/// <summary>An RDNSS option (RFC 8106 §5.1): DNS servers for the hosts on the link, valid for <see cref="Lifetime"/> seconds.</summary>
public sealed record RecursiveDnsServerOption(uint Lifetime, IReadOnlyList<IPAddress> Servers);
