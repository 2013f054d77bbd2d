using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using EventFunctions.Shared.Registrations;
using QRCoder;

namespace EventFunctions.Shared.Attendance;

/// <summary>
/// Ticket codes and their QR codes.
/// <para>
/// A code is six characters from the ids' alphabet in upper case, without the ones people confuse (no 0/O, 1/I/L),
/// e.g. <c>K7M2QX</c>. It is not random: it is the registration's arrival number in its event
/// (<see cref="RegistrationEntity.Sequence"/>, which the ledger gives out once each) put through a permutation of
/// the 31⁶ possible codes keyed by a secret per event (<see cref="Security.IdentifierKeys"/>), so nobody can compute
/// the codes issued from the event's public id. A permutation never maps two numbers to one code, so two
/// registrations of one event can never share a code, whatever instances commit them, and no code row or check is
/// needed. It also runs backwards: a typed code gives the arrival number, which finds the row. Rows stored before
/// tickets existed have a sequence and so a code too (computed when read); a row without one has no ticket.
/// </para>
/// <para>
/// The code is a ticket, not a secret: it opens nothing by itself (the ticket page shows no name; checking in
/// needs the door link's credential). The permutation only keeps neighbouring sign-ups from getting neighbouring codes.
/// </para>
/// </summary>
public static class Tickets
{
    public const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    public const int Length = 6;
    private static readonly long Space = (long)Math.Pow(Alphabet.Length, Length); // 887,503,681
    private const int HalfBits = 15; // a 30-bit Feistel network; values at or over Space walk on (cycle walking)
    private const int Rounds = 4;

    /// <summary>
    /// The code of the registration with arrival number <paramref name="sequence"/> (1 and up) in the event whose
    /// permutation key is <paramref name="key"/> (from <see cref="Security.IdentifierKeys"/>: secret, per event).
    /// </summary>
    public static string Code(byte[] key, long sequence)
    {
        if (sequence <= 0 || sequence >= Space) throw new ArgumentOutOfRangeException(nameof(sequence));
        var x = sequence;
        do x = Permute(key, x, forward: true); while (x >= Space);
        var chars = new char[Length];
        for (var i = Length - 1; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(x % Alphabet.Length)];
            x /= Alphabet.Length;
        }

        return new string(chars);
    }

    /// <summary>The arrival number a code stands for in the event, or null when it is not a code at all.</summary>
    public static long? Sequence(byte[] key, string? code)
    {
        var normal = Normalise(code);
        if (normal is null) return null;
        long x = 0;
        foreach (var c in normal) x = x * Alphabet.Length + Alphabet.IndexOf(c);
        do x = Permute(key, x, forward: false); while (x >= Space);
        return x == 0 ? null : x;
    }

    /// <summary>A typed code in canonical form (upper case, no spaces or dashes), or null if it cannot be one.</summary>
    public static string? Normalise(string? code)
    {
        if (code is null) return null;
        var s = new string(code.Where(c => !char.IsWhiteSpace(c) && c != '-').Select(char.ToUpperInvariant).ToArray());
        return s.Length == Length && s.All(c => Alphabet.Contains(c)) ? s : null;
    }

    /// <summary>What the QR code holds: only the event's id and the code, no personal data.</summary>
    public static string Url(string publicBaseUrl, string eventId, string code) => publicBaseUrl.TrimEnd('/') + Http.Paths.Ticket(eventId, code);

    /// <summary>The QR code as an inline SVG element (pages: the CSP allows no image loads, inline SVG is markup).</summary>
    public static string QrSvg(string url)
    {
        using var data = QRCodeGenerator.GenerateQrCode(url, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(new System.Drawing.Size(240, 240), "#000000", "#ffffff", drawQuietZones: true,
            sizingMode: SvgQRCode.SizingMode.ViewBoxAttribute);
        var start = svg.IndexOf("<svg", StringComparison.Ordinal);
        return start > 0 ? svg[start..] : svg;
    }

    /// <summary>The QR code as a PNG (the email's inline image).</summary>
    public static byte[] QrPng(string url)
    {
        using var data = QRCodeGenerator.GenerateQrCode(url, QRCodeGenerator.ECCLevel.M);
        return new PngByteQRCode(data).GetGraphic(8);
    }

    private static long Permute(byte[] key, long x, bool forward)
    {
        const int mask = (1 << HalfBits) - 1;
        int left = (int)(x >> HalfBits) & mask, right = (int)x & mask;
        Span<byte> input = stackalloc byte[8];
        Span<byte> mac = stackalloc byte[32];
        for (var i = 0; i < Rounds; i++)
        {
            var round = forward ? i : Rounds - 1 - i;
            if (forward)
            {
                var f = Round(key, round, right, input, mac);
                (left, right) = (right, (left ^ f) & mask);
            }
            else
            {
                var f = Round(key, round, left, input, mac);
                (left, right) = ((right ^ f) & mask, left);
            }
        }

        return ((long)left << HalfBits) | (uint)right;
    }

    private static int Round(byte[] key, int round, int half, Span<byte> input, Span<byte> mac)
    {
        BinaryPrimitives.WriteInt32BigEndian(input, round);
        BinaryPrimitives.WriteInt32BigEndian(input[4..], half);
        HMACSHA256.HashData(key, input, mac);
        return BinaryPrimitives.ReadInt32BigEndian(mac);
    }
}

/// <summary>What <c>Web/TicketBlock.razor</c> shows: the code, the QR (inline SVG on pages, or an image source such as <c>cid:…</c> in emails).</summary>
public sealed record TicketInfo(string Code, string Url, DoorText Text, string? ImageSrc = null)
{
    public const string EmailContentId = "ticket-qr";

    /// <summary>The ticket of a confirmed registration, where the event has a door (an online-only lecture has none).</summary>
    public static TicketInfo? For(string publicBaseUrl, Events.EventRecord e, string? status, string? code, Text.UiText text, string? imageSrc = null) =>
        status == Registrations.RegistrationStatus.Confirmed && code is not null && e.HasDoor
            ? new TicketInfo(code, Tickets.Url(publicBaseUrl, e.Id, code), DoorText.For(text), imageSrc)
            : null;
}
