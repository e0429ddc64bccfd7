namespace VirtualNetworking.Core.Ports;

/// <summary>
/// The operating system's cryptographic randomness (UUIDs, MACs, DNS query ids). Here rather than in an adapter
/// because the module and vnetd both need it and it does no I/O a test would have to avoid; tests pass their own.
/// </summary>
public sealed class SystemRandomSource : IRandomSource
{
    public static readonly SystemRandomSource Instance = new();
    public void Fill(Span<byte> buffer) => System.Security.Cryptography.RandomNumberGenerator.Fill(buffer);
}
