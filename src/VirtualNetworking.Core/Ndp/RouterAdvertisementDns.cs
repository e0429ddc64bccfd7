using System.Net;
using VirtualNetworking.Core.Dns;

namespace VirtualNetworking.Core.Ndp;

/// <summary>What a network's DNS service tells guests by RA (RFC 8106): its IPv6 server addresses and search domains.</summary>
public sealed record RouterAdvertisementDns(IReadOnlyList<IPAddress> Servers, IReadOnlyList<DnsName> SearchDomains);
