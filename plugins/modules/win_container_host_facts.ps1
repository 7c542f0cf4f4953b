#!powershell

# Copyright: wincontainers.compat maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Reads, never changes, and returns raw values only: the action plugin builds the facts on the controller.
$spec = @{
    options = @{
        gather_subset = @{
            type = 'list'; elements = 'str'; default = @('all')
            choices = @('all', 'version', 'features', 'docker', 'containerd', 'images', 'containers')
        }
        daemon_json_path = @{ type = 'str' }
        docker_path = @{ type = 'str' }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$subset = $module.Params.gather_subset
function Test-Subset([string]$Name) { ($subset -contains 'all') -or ($subset -contains $Name) }

function Invoke-Native([string]$Path, [string[]]$Arguments) {
    # Fixed argument arrays only; stderr lines arrive as ErrorRecords, which must not stop the module.
    $ErrorActionPreference = 'Continue'
    $output = & $Path @Arguments 2>&1
    @{
        rc = $LASTEXITCODE
        stdout = (@($output | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] }) -join "`n")
        stderr = (@($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) -join "`n")
    }
}

function Invoke-Docker([string[]]$Arguments) { Invoke-Native -Path $script:docker -Arguments $Arguments }

function Get-ServiceState([string]$Name) {
    $service = Get-Service -Name $Name -ErrorAction SilentlyContinue
    if ($service) { $service.Status.ToString() } else { $null }
}

$raw = @{ gather_subset = $subset }
$keyPath = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
$key = Get-ItemProperty -LiteralPath $keyPath
$raw.registry = @{}
foreach ($name in @('CurrentMajorVersionNumber', 'CurrentMinorVersionNumber', 'CurrentBuildNumber', 'UBR', 'BuildLabEx',
        'DisplayVersion', 'ReleaseId', 'ProductName', 'EditionID', 'InstallationType')) {
    $property = $key.PSObject.Properties[$name]
    $raw.registry.$name = if ($property) { $property.Value } else { $null }
}

if (Test-Subset 'features') {
    if (Get-Command -Name Get-WindowsFeature -ErrorAction SilentlyContinue) {
        $found = @(Get-WindowsFeature -Name 'Containers', 'Hyper-V')
        $raw.features = @{ source = 'Get-WindowsFeature' }
        foreach ($feature in $found) { $raw.features[$feature.Name] = $feature.InstallState.ToString() }
    }
    else {
        $raw.features = @{ source = 'Get-WindowsOptionalFeature' }
        foreach ($name in @('Containers', 'Microsoft-Hyper-V')) {
            $feature = Get-WindowsOptionalFeature -Online -FeatureName $name -ErrorAction SilentlyContinue
            $raw.features[$name] = if ($feature) { $feature.State.ToString() } else { $null }
        }
    }
}

$wantDocker = (Test-Subset 'docker') -or (Test-Subset 'images') -or (Test-Subset 'containers')
if ($wantDocker) {
    $script:docker = $module.Params.docker_path
    if (-not $script:docker) {
        $command = Get-Command -Name docker.exe -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($command) { $script:docker = $command.Source }
    }
    $configPath = $module.Params.daemon_json_path
    if (-not $configPath) { $configPath = Join-Path -Path $env:ProgramData -ChildPath 'docker\config\daemon.json' }
    $raw.docker = @{ cli = $script:docker; service = (Get-ServiceState 'docker'); daemon_json_path = $configPath; daemon_json = $null }
    if (Test-Path -LiteralPath $configPath -PathType Leaf) {
        $raw.docker.daemon_json = [System.Text.Encoding]::UTF8.GetString([System.IO.File]::ReadAllBytes($configPath))
    }
    if ($script:docker) {
        $raw.docker.info = Invoke-Docker @('info', '--format', '{{json .}}')
        $raw.docker.version = Invoke-Docker @('version', '--format', '{{json .}}')
        if ($raw.docker.info.rc -eq 0) {
            $containerIds = @()
            if (Test-Subset 'containers') {
                $containerIds = @((Invoke-Docker @('ps', '--quiet', '--no-trunc')).stdout -split "`n" | Where-Object { $_ })
                if ($containerIds) { $raw.docker.containers = Invoke-Docker (@('container', 'inspect') + $containerIds) }
            }
            if ((Test-Subset 'images') -or $containerIds) {
                $imageIds = @((Invoke-Docker @('images', '--quiet', '--no-trunc')).stdout -split "`n" | Where-Object { $_ })
                if ($raw.docker.containers -and $raw.docker.containers.rc -eq 0) {
                    $imageIds += @($raw.docker.containers.stdout | ConvertFrom-Json | ForEach-Object { $_.Image })
                }
                $imageIds = @($imageIds | Select-Object -Unique)
                if ($imageIds) { $raw.docker.images = Invoke-Docker (@('image', 'inspect') + $imageIds) }
            }
        }
    }
}

if (Test-Subset 'containerd') {
    $raw.containerd = @{ service = (Get-ServiceState 'containerd'); version = $null }
    $command = Get-Command -Name containerd.exe -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($command) { $raw.containerd.version = (Invoke-Native -Path $command.Source -Arguments @('--version')).stdout }
}

$module.Result.raw = $raw
$module.ExitJson()
