using VirtualNetworking.Core.Ports;

namespace VirtualNetworking.Linux.Host;

/// <summary>The operating system's cryptographic randomness, for UUIDs and MACs.</summary>
public sealed class SystemRandomSource : IRandomSource
{
    public static readonly SystemRandomSource Instance = new();
    public void Fill(Span<byte> buffer) => System.Security.Cryptography.RandomNumberGenerator.Fill(buffer);
}
