using System.Buffers.Binary;
using VirtualNetworking.Core.Ports;

namespace VirtualNetworking.Core.Tests.Ndp;

/// <summary>Hands out the given numbers as the random source's next 8 octets each (then zeros), so a test sets every draw.</summary>
internal sealed class ScriptedRandom(params ulong[] draws) : IRandomSource
{
    private readonly Queue<ulong> draws = new(draws);

    public void Fill(Span<byte> buffer)
    {
        buffer.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, draws.Count > 0 ? draws.Dequeue() : 0);
    }
}
