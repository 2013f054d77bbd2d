using EventFunctions.Shared.Events;

namespace EventFunctions.Shared.Console;

public enum ConsoleRole
{
    /// <summary>The street office: sees and changes every event, adds organisers.</summary>
    Admin,
    /// <summary>A member unit's organiser: sees and changes the events of their own unit.</summary>
    Organiser,
}

/// <summary>A signed-in person using the organisers' console.</summary>
/// <param name="DevelopmentSignIn">Signed in through the development sign-in (no platform sign-in): every page says so.</param>
public sealed record ConsoleUser(string Email, string Name, ConsoleRole Role, string Unit, bool DevelopmentSignIn)
{
    public bool IsAdmin => Role == ConsoleRole.Admin;

    /// <summary>What the audit log records as the actor of a change.</summary>
    public string Actor => Email;

    public bool CanManage(EventRecord e) => IsAdmin || string.Equals(e.Unit, Unit, StringComparison.Ordinal);
}
