#!powershell

# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Reads a daemon.json, or replaces it atomically with the given text. It makes no decision about
# the content: wincontainers.compat.docker_daemon_json merges on the controller.
$spec = @{
    options = @{
        path = @{ type = 'str'; required = $true }
        content = @{ type = 'str' }
        backup = @{ type = 'bool'; default = $false }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$path = $module.Params.path
$content = $module.Params.content
$utf8 = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false

$module.Result.path = $path
$module.Result.exists = Test-Path -LiteralPath $path -PathType Leaf
$current = $null
if ($module.Result.exists) {
    # Decoded without dropping a byte order mark, so the controller can see and report it.
    $current = $utf8.GetString([System.IO.File]::ReadAllBytes($path))
}
if ($null -eq $content) {
    $module.Result.content = $current
    $module.ExitJson()
}
if ($current -ceq $content) {
    $module.ExitJson()
}

$module.Result.changed = $true
if (-not $module.CheckMode) {
    $dir = [System.IO.Path]::GetDirectoryName($path)
    if (-not (Test-Path -LiteralPath $dir -PathType Container)) {
        New-Item -Path $dir -ItemType Directory -Force | Out-Null
    }
    $tmp = [System.IO.Path]::Combine($dir, ".daemon.json.$([System.IO.Path]::GetRandomFileName())")
    try {
        [System.IO.File]::WriteAllText($tmp, $content, $utf8)
        if ($module.Result.exists -and $module.Params.backup) {
            $backupPath = '{0}.{1}.{2:yyyyMMdd-HHmmss}.bak' -f $path, $PID, (Get-Date)
            $module.Result.backup_file = $backupPath
            # One NTFS operation: the new file takes the old name (and its ACL), the old one becomes the backup.
            [System.IO.File]::Replace($tmp, $path, $backupPath)
        }
        elseif ($module.Result.exists) {
            [System.IO.File]::Replace($tmp, $path, [NullString]::Value)
        }
        else {
            [System.IO.File]::Move($tmp, $path)
        }
    }
    finally {
        if (Test-Path -LiteralPath $tmp) {
            Remove-Item -LiteralPath $tmp -Force
        }
    }
}
$module.ExitJson()
