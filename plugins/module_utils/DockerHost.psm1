# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Process

# Read-only helpers of the collection's Windows modules: find docker.exe, run a native command with a timeout,
# read a service's command line and a file's bytes. They return raw values; the controller decides.

function ConvertTo-CommandLineArgument([string]$Argument) {
    # CommandLineToArgvW quoting: backslashes before a quote or the closing quote are doubled, quotes escaped.
    if ($Argument -and $Argument -notmatch '[\s"]') { return $Argument }
    '"' + ($Argument -replace '(\\*)"', '$1$1\"' -replace '(\\+)$', '$1$1') + '"'
}

function Invoke-Native([string]$Path, [string[]]$Arguments, [int]$TimeoutSeconds) {
    # Output is decoded as UTF-8 whatever the console code page (psrp has no console); a command that cannot
    # start (missing file, command line over 32,767 characters) or outlives the timeout is a fact, not a failure.
    $rc = $null; $stdout = ''; $stderr = ''; $timedOut = $false; $startError = $null
    $utf8 = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false
    $info = New-Object -TypeName System.Diagnostics.ProcessStartInfo -ArgumentList $Path
    $info.Arguments = @($Arguments | ForEach-Object { ConvertTo-CommandLineArgument $_ }) -join ' '
    $info.UseShellExecute = $false
    $info.CreateNoWindow = $true
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.StandardOutputEncoding = $utf8
    $info.StandardErrorEncoding = $utf8
    try {
        $process = [System.Diagnostics.Process]::Start($info)
        $process.StandardInput.Close()
        $out = $process.StandardOutput.ReadToEndAsync()
        $err = $process.StandardError.ReadToEndAsync()
        if ($process.WaitForExit($TimeoutSeconds * 1000)) {
            $rc = $process.ExitCode
        }
        else {
            $timedOut = $true
            if (-not $process.HasExited) { $process.Kill() }
            $null = $process.WaitForExit(5000)
        }
        if ($out.Wait(5000)) { $stdout = $out.Result }
        if ($err.Wait(5000)) { $stderr = $err.Result }
    }
    catch {
        $startError = $_.Exception.Message
    }
    @{ rc = $rc; stdout = $stdout; stderr = $stderr; timed_out = $timedOut; start_error = $startError }
}

function Get-ServiceImagePath([string]$Name) {
    # The command line the service control manager starts, environment variables expanded.
    $key = Get-ItemProperty -LiteralPath "HKLM:\SYSTEM\CurrentControlSet\Services\$Name" -ErrorAction SilentlyContinue
    if ($key -and $key.PSObject.Properties['ImagePath']) { [string]$key.ImagePath } else { $null }
}

function Find-DockerCli([string]$Given, [string]$ServiceImagePath) {
    # PATH as the session sees it (WinRM keeps the PATH of its start), then where installers put docker.exe.
    if ($Given) { return $Given }
    $command = Get-Command -Name docker.exe -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($command) { return $command.Source }
    $candidates = @()
    $program = $null
    if ($ServiceImagePath) {
        # The service's program, split as Windows splits a command line (CommandLineToArgvW).
        try { $program = [Ansible.Process.ProcessUtil]::ParseCommandLine($ServiceImagePath)[0] }
        catch { $program = $null }
    }
    if ($program -and [System.IO.Path]::IsPathRooted($program)) {
        $candidates += Join-Path -Path ([System.IO.Path]::GetDirectoryName($program)) -ChildPath 'docker.exe'
    }
    $candidates += Join-Path -Path $env:ProgramFiles -ChildPath 'Docker\docker.exe'
    $candidates += Join-Path -Path $env:ProgramFiles -ChildPath 'Docker\Docker\resources\bin\docker.exe'
    $found = $candidates | Where-Object { Test-Path -LiteralPath $_ -PathType Leaf } | Select-Object -First 1
    if ($found) { $found } else { $null }
}

function Read-FileRecord([string]$Path) {
    # The file's bytes (base64); an unreadable file is reported with its error, never thrown.
    $exists = $false; $content = $null; $readError = $null
    try {
        if (Test-Path -LiteralPath $Path -PathType Leaf) {
            $exists = $true
            $content = [System.Convert]::ToBase64String([System.IO.File]::ReadAllBytes($Path))
        }
    }
    catch {
        $readError = $_.Exception.Message
    }
    @{ path = $Path; exists = $exists; content_base64 = $content; error = $readError }
}

$exported = @('ConvertTo-CommandLineArgument', 'Invoke-Native', 'Get-ServiceImagePath', 'Find-DockerCli', 'Read-FileRecord')
Export-ModuleMember -Function $exported
