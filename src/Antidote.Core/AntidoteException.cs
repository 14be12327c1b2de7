namespace Antidote.Core;

/// <summary>
/// A problem with the user's input (file, name, value, checkpoint) that the CLI reports as one line and exit 2.
/// Anything else that escapes is a bug in Antidote.
/// </summary>
public class AntidoteException : Exception
{
    public AntidoteException(string message) : base(message) { }

    public AntidoteException(string message, Exception inner) : base(message, inner) { }
}
