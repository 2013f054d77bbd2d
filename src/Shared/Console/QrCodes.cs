using QRCoder;

namespace EventFunctions.Shared.Console;

/// <summary>QR codes for links (the sign-up link on posters and in WeChat groups), as PNG and SVG.</summary>
public static class QrCodes
{
    public static byte[] Png(string text, int pixelsPerModule = 12)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return new PngByteQRCode(data).GetGraphic(pixelsPerModule);
    }

    public static string Svg(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return new SvgQRCode(data).GetGraphic(8);
    }
}
