namespace EventFunctions.Shared;

/// <summary>Shows personal data only as much as a screen needs (PIPL: minimum necessary).</summary>
public static class Privacy
{
    /// <summary>li***@example.com: enough for a person to recognise their own address.</summary>
    public static string MaskEmail(string email)
    {
        var at = email.IndexOf('@');
        if (at <= 0) return "***";
        var local = email[..at];
        return (local.Length <= 2 ? local[..1] : local[..2]) + "***" + email[at..];
    }
}
