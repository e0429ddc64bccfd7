namespace VirtualNetworking.Core.Ports;

/// <summary>Randomness for UUIDs and MACs, injectable so tests are reproducible.</summary>
public interface IRandomSource
{
    void Fill(Span<byte> buffer);
}
