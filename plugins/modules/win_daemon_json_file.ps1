#!powershell

# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ..module_utils.DockerHost

# Reads a daemon.json (its bytes, and without a path the values that locate it), or replaces it atomically
# with the given text. It makes no decision about the content or the location: the controller does.
$spec = @{
    options = @{
        path = @{ type = 'str' }
        content = @{ type = 'str' }
        previous_sha256 = @{ type = 'str' }
        backup = @{ type = 'bool'; default = $false }
        docker_path = @{ type = 'str' }
        command_timeout = @{ type = 'int'; default = 60 }
    }
    required_by = @{ content = @('path', 'previous_sha256') }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$path = $module.Params.path
$content = $module.Params.content
$sharingViolations = @(32, 33)  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION: antivirus or dockerd reading the file

function Get-Sha256([byte[]]$Bytes) {
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try { [System.BitConverter]::ToString($sha.ComputeHash($Bytes)).Replace('-', '') } finally { $sha.Dispose() }
}

function Get-Locator {
    # The raw values the controller locates daemon.json with: the service command line and DockerRootDir.
    $imagePath = Get-ServiceImagePath 'docker'
    $docker = Find-DockerCli $module.Params.docker_path $imagePath
    $root = if ($docker) { Invoke-Native -Path $docker -Arguments @('info', '--format', '{{.DockerRootDir}}') -TimeoutSeconds $module.Params.command_timeout } else { $null }
    @{ service_image_path = $imagePath; program_data = $env:ProgramData; docker_root_dir = $root }
}

function New-ConfigDirectory([string]$Directory) {
    # Administrators and SYSTEM only, as dockerd sets on the directories it creates: ProgramData lets Users create files.
    $security = New-Object -TypeName System.Security.AccessControl.DirectorySecurity
    $security.SetAccessRuleProtection($true, $false)
    foreach ($sid in @('S-1-5-32-544', 'S-1-5-18')) {
        $identity = New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList $sid
        $rule = New-Object -TypeName System.Security.AccessControl.FileSystemAccessRule -ArgumentList @(
            $identity, 'FullControl', 'ContainerInherit, ObjectInherit', 'None', 'Allow')
        $security.AddAccessRule($rule)
    }
    $null = [System.IO.Directory]::CreateDirectory($Directory, $security)
}

function Invoke-WithRetry([scriptblock]$Action) {
    for ($attempt = 1; ; $attempt++) {
        try { return & $Action }
        catch {
            $inner = if ($_.Exception.InnerException) { $_.Exception.InnerException } else { $_.Exception }
            $code = $inner.HResult -band 0xFFFF
            if ($attempt -ge 5 -or $sharingViolations -notcontains $code) { throw }
            Start-Sleep -Milliseconds (200 * $attempt)
        }
    }
}

function Set-FileContent([string]$Temporary, [bool]$Exists, [string]$Backup) {
    # One NTFS operation: the new file takes the old name (and its ACL), the old one becomes the backup. If
    # ReplaceFile fails on its last rename the original is left under the backup name: put it back, then fail.
    try {
        if ($Exists) { Invoke-WithRetry { [System.IO.File]::Replace($Temporary, $path, $Backup) } }
        else { Invoke-WithRetry { [System.IO.File]::Move($Temporary, $path) } }
    }
    catch {
        $reason = $_.Exception.Message
        if ($Exists -and -not (Test-Path -LiteralPath $path) -and (Test-Path -LiteralPath $Backup)) {
            try { [System.IO.File]::Move($Backup, $path) }
            catch { $module.FailJson("replacing $path failed ($reason) and the original could not be put back: it is $Backup") }
        }
        $module.FailJson("replacing $path failed, the file was left as it was: $reason")
    }
}

if (-not $path) {
    $module.Result.locator = Get-Locator
    $module.Result.file = Read-FileRecord (Join-Path -Path $env:ProgramData -ChildPath 'docker\config\daemon.json')
    $module.ExitJson()
}
if ($path -notmatch '^([A-Za-z]:\\|\\\\[^\\]+\\[^\\]+)') {
    $module.FailJson("path must be an absolute Windows path such as C:\ProgramData\docker\config\daemon.json; got '$path'")
}
$module.Result.file = Read-FileRecord $path
if ($null -eq $content) { $module.ExitJson() }

$current = $module.Result.file
$currentHash = if ($current.exists) { Get-Sha256 ([System.Convert]::FromBase64String($current.content_base64)) } else { '' }
if ($current.error -or $currentHash -ne $module.Params.previous_sha256) {
    $module.FailJson("$path changed since it was read (or cannot be read: $($current.error)); nothing was written, run again")
}
$module.Result.changed = $true
if ($module.CheckMode) { $module.ExitJson() }

$dir = [System.IO.Path]::GetDirectoryName($path)
if (-not (Test-Path -LiteralPath $dir -PathType Container)) { New-ConfigDirectory $dir }
$tmp = [System.IO.Path]::Combine($dir, ".daemon.json.$([System.IO.Path]::GetRandomFileName())")
$backupPath = '{0}.{1}.{2:yyyyMMdd-HHmmss}.bak' -f $path, $PID, (Get-Date)
try {
    [System.IO.File]::WriteAllText($tmp, $content, (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false))
    Set-FileContent $tmp $current.exists $backupPath
    if ($current.exists -and $module.Params.backup) { $module.Result.backup_file = $backupPath }
    elseif ($current.exists) { Remove-Item -LiteralPath $backupPath -Force }
}
finally {
    if (Test-Path -LiteralPath $tmp) { Remove-Item -LiteralPath $tmp -Force }
}
$module.Result.file = $null
$module.ExitJson()
