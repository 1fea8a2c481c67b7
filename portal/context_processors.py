def portal(request):
    return {"PORTAL_NAME": "小微企业园金融服务监测报送平台"}
